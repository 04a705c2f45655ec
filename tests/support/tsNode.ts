/** The TypeScript hook mocha loads (.mocharc.json), by absolute path, so that a child started with `node -r` finds it from any directory. */
export const TS_NODE = require.resolve("./register");

// TypeScript for mocha and for the child processes tests start (`node -r <this file>`): ts-node
// transpiling with swc, several times faster than TypeScript's own transpiler, which cost most of
// each child's start. Types are not checked here: `npm test` runs tsc first.
require("ts-node").register({ swc: true, project: require("path").join(__dirname, "..", "..", "tsconfig.json") });

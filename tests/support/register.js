// TypeScript for mocha and for the child processes tests start (`node -r <this file>`): ts-node
// transpiling with swc, several times faster than TypeScript's own transpiler, which cost most of
// each child's start. Types are not checked here: `npm test` runs tsc first. The end-to-end suite
// keeps TypeScript's transpiler (.mocharc.e2e.json), as the language host does: its wildcard
// fixture replaces a module's export, which swc's read-only exports refuse.
require("ts-node").register({ swc: true, project: require("path").join(__dirname, "..", "..", "tsconfig.json") });

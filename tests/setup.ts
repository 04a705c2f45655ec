// Mock runtime setup: filled in by the foundation work.
export {};

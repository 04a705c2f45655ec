import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

// The pack's entry point for `pulumi preview --policy-pack policy`. Constructing the pack starts
// the analyzer's gRPC server and keeps the process alive: import ./policies elsewhere.
new PolicyPack(PACK_NAME, { policies: POLICIES });

import { runStack } from "../tests/support/stacks";
runStack(process.argv[2]).then((run) => {
  const d = run.resources.find((r) => r.name.endsWith("deployment-deploy"))!;
  console.log(JSON.stringify(JSON.parse((d.inputs.environment as any).VDX_DEPLOYMENT), null, 2));
  console.log(Object.keys(d.inputs.environment as any));
  console.log(JSON.stringify(d.inputs.triggers), d.ignoreChanges, d.replaceOnChanges, d.deleteBeforeReplace);
}, (e) => console.error("ERR", e));

// Runs one test of the package: node test-dist/run.js <test> [server address(es), comma-separated] [json|messagepack].
// Chat.Tests/TypeScriptClient starts a real server and runs each over both protocols.
import { calls } from "./calls.js";
import { changeLog } from "./changeLog.js";
import { liveGap } from "./liveGap.js";
import { recovery } from "./recovery.js";
import { typedCalls } from "./typedCalls.js";
import { unavailable } from "./unavailable.js";
import type { ChatProtocol } from "../dist/index.js";

const [name, url = "", protocol = "messagepack"] = process.argv.slice(2);
const tests: Record<string, () => void | Promise<void>> = {
  calls: () => calls({ url, protocol: protocol as ChatProtocol }),
  "change-log": changeLog,
  "typed-calls": () => typedCalls({ url, protocol: protocol as ChatProtocol }),
  recovery: () => recovery({ url, protocol: protocol as ChatProtocol }),
  "live-gap": () => liveGap({ url, protocol: protocol as ChatProtocol }),
  unavailable: () => unavailable({ url, protocol: protocol as ChatProtocol }),
};

const test = tests[name ?? ""];
if (test === undefined) {
  console.error(`usage: run.js <${Object.keys(tests).join("|")}> [server address] [json|messagepack]`);
  process.exit(2);
}
try {
  await test();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}

// Against a stand-in hub that answers `unavailable` to the first N attempts of a call whose text is `flaky-N`
// (Chat.Tests FlakyHubTests.Fixture): sends and changes are retried with the same idempotency id until stored, and
// `unavailable` reaches the caller once the retry time is spent.
import assert from "node:assert/strict";
import { ChatClient, ChatErrorCodes, errorCode, type ChatProtocol } from "../dist/index.js";
import { withTimeout, type TestContext } from "./harness.js";

async function start(url: string, protocol: ChatProtocol, unavailableRetryTimeoutMs?: number): Promise<ChatClient> {
  const client = new ChatClient({
    url,
    protocol,
    accessTokenFactory: () => "the stand-in hub has no sign-in",
    retryDelayMs: () => 20,
    ...(unavailableRetryTimeoutMs === undefined ? {} : { unavailableRetryTimeoutMs }),
  });
  await withTimeout(client.start(), "connects");
  await withTimeout(client.joinRoom("lobby"), "joins");
  return client;
}

export async function unavailable({ url, protocol }: TestContext): Promise<void> {
  const client = await start(url, protocol);
  const impatient = await start(url, protocol, 0);
  try {
    const posted = await withTimeout(client.sendMessage("lobby", "flaky-2"), "a send answered unavailable twice");
    assert.ok(posted.clientMessageId, "a send gets a clientMessageId, kept across its retries");
    const edited = await withTimeout(client.hub.EditMessage("lobby", `edit-${protocol}`, "flaky-1"), "an edit answered unavailable once");
    assert.equal(edited.content, "flaky-1");
    await assert.rejects(impatient.sendMessage("lobby", "flaky-1"), (error) => errorCode(error) === ChatErrorCodes.Unavailable);
    console.log(`typescript unavailable (${protocol}): ok ${posted.clientMessageId}`);
  } finally {
    await client.stop();
    await impatient.stop();
  }
}

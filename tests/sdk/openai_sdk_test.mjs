// The official OpenAI Node SDK, unmodified, against a real `liftoff serve` on 127.0.0.1:
// models, chat and legacy completions (plain and streamed), logprobs, n, embeddings and errors.
//   node openai_sdk_test.mjs LIFTOFF_BINARY MODEL.gguf
// Exits non-zero on the first failed check, naming it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import OpenAI from "openai";

const [binary, model] = process.argv.slice(2);
if (!binary || !model) {
  console.error("usage: node openai_sdk_test.mjs LIFTOFF_BINARY MODEL.gguf");
  process.exit(2);
}

function startServer() {
  const server = spawn(binary, ["serve", "-m", model, "--host", "127.0.0.1", "--port", "0",
                                "--ctx", "512", "--parallel", "4", "--alias", "stories"],
                       { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start in 60 s")), 60000);
    server.on("exit", (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: server.stdout }).on("line", (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ server, url: m[1] });
      }
    });
  });
}

const checks = [];
const check = (name, fn) => checks.push({ name, fn });

check("models.list names the alias", async (client) => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ["stories"]);
  const one = await client.models.retrieve("stories");
  assert.equal(one.id, "stories");
  assert.equal(one.object, "model");
});

check("chat: streamed text equals the plain response at temperature 0", async (client) => {
  const params = { model: "stories", temperature: 0, max_tokens: 24,
                   messages: [{ role: "user", content: "Once upon a time" }] };
  const plain = await client.chat.completions.create(params);
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.choices.length, 1);
  assert.equal(plain.choices[0].message.role, "assistant");
  assert.ok(["stop", "length"].includes(plain.choices[0].finish_reason));
  assert.ok(plain.usage.prompt_tokens > 0);
  assert.equal(plain.usage.total_tokens, plain.usage.prompt_tokens + plain.usage.completion_tokens);
  assert.ok(Math.abs(plain.created - Date.now() / 1000) < 300, "created is in seconds");
  const stream = await client.chat.completions.create(
      { ...params, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    for (const c of chunk.choices) {
      text += c.delta.content ?? "";
      if (c.finish_reason) finish = c.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, plain.choices[0].message.content);
  assert.equal(finish, plain.choices[0].finish_reason);
  // Same counts; cached_tokens differs (the second request reuses the first one's prompt KV).
  for (const k of ["prompt_tokens", "completion_tokens", "total_tokens"]) {
    assert.equal(usage[k], plain.usage[k], k);
  }
  assert.ok(usage.prompt_tokens_details.cached_tokens > 0, "the repeated prompt hit the cache");
});

check("completions: streamed text equals the plain response with a fixed seed", async (client) => {
  const params = { model: "stories", prompt: "The little dog", max_tokens: 24, temperature: 0.9,
                   seed: 42 };
  const plain = await client.completions.create(params);
  assert.equal(plain.object, "text_completion");
  const stream = await client.completions.create({ ...params, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices.map((c) => c.text).join("");
  assert.equal(text, plain.choices[0].text);
});

check("chat logprobs and top_logprobs", async (client) => {
  const r = await client.chat.completions.create({
    model: "stories", max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3,
    messages: [{ role: "user", content: [{ type: "text", text: "Lily went" }] }] });
  const content = r.choices[0].logprobs.content;
  assert.ok(content.length > 0);
  for (const t of content) {
    assert.equal(typeof t.token, "string");
    assert.ok(t.logprob <= 0);
    assert.ok(Array.isArray(t.bytes));
    assert.equal(t.top_logprobs.length, 3);
    // Greedy: the chosen token is the most likely one.
    assert.ok(t.logprob >= t.top_logprobs[0].logprob - 1e-6);
  }
});

check("legacy completions logprobs", async (client) => {
  const r = await client.completions.create(
      { model: "stories", prompt: "Tom saw", max_tokens: 6, temperature: 0, logprobs: 2 });
  const lp = r.choices[0].logprobs;
  assert.equal(lp.tokens.length, lp.token_logprobs.length);
  assert.equal(lp.tokens.length, lp.top_logprobs.length);
  assert.equal(lp.tokens.length, lp.text_offset.length);
  assert.equal(Object.keys(lp.top_logprobs[0]).length, 2);
});

check("n choices", async (client) => {
  const r = await client.chat.completions.create({
    model: "stories", n: 3, max_tokens: 12, temperature: 1, seed: 7,
    messages: [{ role: "user", content: "Sam had a ball" }] });
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
});

check("embeddings (the SDK asks for base64 and decodes it)", async (client) => {
  const r = await client.embeddings.create({ model: "stories", input: ["a cat", "a dog"] });
  assert.equal(r.data.length, 2);
  for (const [i, e] of r.data.entries()) {
    assert.equal(e.index, i);
    const norm = Math.sqrt(e.embedding.reduce((s, v) => s + v * v, 0));
    assert.ok(Math.abs(norm - 1) < 1e-3, `norm ${norm}`);
  }
  const f = await client.embeddings.create(
      { model: "stories", input: "a cat", encoding_format: "float" });
  assert.ok(f.data[0].embedding.every((v, j) => Math.abs(v - r.data[0].embedding[j]) < 1e-6));
  assert.ok(r.usage.prompt_tokens > 0);
});

check("errors arrive as the SDK's typed errors", async (client) => {
  await assert.rejects(
      client.chat.completions.create({ model: "stories", temperature: 5,
                                       messages: [{ role: "user", content: "hi" }] }),
      (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === "temperature");
  await assert.rejects(
      client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
      (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  await assert.rejects(
      client.completions.create({ model: "stories", prompt: "x ".repeat(2000), max_tokens: 4 }),
      (e) => e instanceof OpenAI.BadRequestError);
});

const { server, url } = await startServer();
const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "not-checked", maxRetries: 0 });
let failed = 0;
for (const { name, fn } of checks) {
  try {
    await fn(client);
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${e.stack ?? e}`);
  }
}
server.kill("SIGTERM");
console.log(`${checks.length - failed}/${checks.length} passed`);
process.exit(failed ? 1 : 0);

// InferenceServer chat page: plain JavaScript, no dependencies. Talks to this server's OpenAI-compatible API.
"use strict";

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("status"), settings: $("settings"), settingsToggle: $("settings-toggle"), model: $("model"),
  system: $("system"), temperature: $("temperature"), maxTokens: $("max-tokens"), apiKey: $("api-key"),
  clear: $("clear"), messages: $("messages"), error: $("error"), stats: $("stats"), composer: $("composer"),
  prompt: $("prompt"), send: $("send"), stop: $("stop"),
};
const storageKey = "inferenceserver.chat";
const history = []; // {role, content} of the finished turns
let controller = null;

function loadSettings() {
  const saved = JSON.parse(localStorage.getItem(storageKey) || "{}");
  ui.apiKey.value = saved.apiKey || "";
  ui.system.value = saved.system || "";
  if (saved.temperature !== undefined) ui.temperature.value = saved.temperature;
  if (saved.maxTokens !== undefined) ui.maxTokens.value = saved.maxTokens;
  return saved;
}

function saveSettings() {
  localStorage.setItem(storageKey, JSON.stringify({
    apiKey: ui.apiKey.value.trim(), system: ui.system.value, temperature: ui.temperature.value,
    maxTokens: ui.maxTokens.value, model: ui.model.value,
  }));
}

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = ui.apiKey.value.trim();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

/** A readable message for an error response (OpenAI error object, status-specific advice). */
async function describeError(response) {
  let message = response.statusText || "request failed";
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch { /* not JSON */ }
  switch (response.status) {
    case 401: return "401 Unauthorized: this server needs a valid API key. Enter it under Settings. (" + message + ")";
    case 413: return "413: the request is too large. (" + message + ")";
    case 429: {
      const retry = response.headers.get("Retry-After");
      return "429 Too many requests" + (retry ? ": retry in " + retry + " s" : "") + ". (" + message + ")";
    }
    case 503: return "503: the server is not ready (" + message + "). Retry shortly.";
    default: return response.status + ": " + message;
  }
}

async function refreshStatus() {
  try {
    const response = await fetch("/health", { cache: "no-store" });
    ui.status.textContent = response.ok ? "model ready" : "model loading…";
  } catch {
    ui.status.textContent = "server unreachable";
  }
}

async function loadModels(preferred) {
  const response = await fetch("/v1/models", { headers: headers() });
  if (!response.ok) {
    showError(await describeError(response));
    if (response.status === 401) openSettings(true);
    return;
  }

  const models = (await response.json()).data.map((m) => m.id);
  let templates = [];
  const t = await fetch("/v1/prompt_templates", { headers: headers() });
  if (t.ok) templates = (await t.json()).data.map((x) => x.name);

  ui.model.replaceChildren();
  for (const model of models) {
    ui.model.append(new Option(model, JSON.stringify({ model })));
    for (const template of templates) {
      ui.model.append(new Option(model + " · " + template, JSON.stringify({ model, template })));
    }
  }
  if (preferred && [...ui.model.options].some((o) => o.value === preferred)) ui.model.value = preferred;
  showError("");
}

function openSettings(open) {
  ui.settings.hidden = !open;
  ui.settingsToggle.setAttribute("aria-expanded", String(open));
}

function addMessage(role, text) {
  const element = document.createElement("div");
  element.className = "message " + role;
  element.dataset.role = role;
  element.dataset.updates = "0";
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  element.append(body);
  ui.messages.append(element);
  ui.messages.scrollTop = ui.messages.scrollHeight;
  return element;
}

function setMeta(element, text) {
  let meta = element.querySelector(".meta");
  if (!meta) {
    meta = document.createElement("span");
    meta.className = "meta";
    element.append(meta);
  }
  meta.textContent = text;
}

function setBusy(busy) {
  ui.send.hidden = busy;
  ui.stop.hidden = !busy;
  ui.prompt.disabled = busy;
}

function formatStats(s) {
  const parts = [];
  if (s.ttft !== null) parts.push("TTFT " + Math.round(s.ttft) + " ms");
  if (s.tokens > 0 && s.firstAt !== null) {
    const seconds = (s.lastAt - s.firstAt) / 1000;
    if (seconds > 0 && s.tokens > 1) parts.push(((s.tokens - 1) / seconds).toFixed(1) + " tokens/s");
    parts.push(s.tokens + " tokens");
  }
  if (s.finish) parts.push("finish: " + s.finish);
  return parts.join(" · ");
}

/** Reads an SSE body, calling onEvent with each parsed data payload ("[DONE]" ends it). */
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data: ")) continue;
        const data = line.slice(6);
        if (data === "[DONE]") return;
        onEvent(JSON.parse(data));
      }
    }
  }
}

async function send(text) {
  showError("");
  const choice = JSON.parse(ui.model.value || "{}");
  if (!choice.model) {
    showError("No model: the model list could not be loaded (check the API key under Settings).");
    return;
  }

  const messages = [];
  if (ui.system.value.trim()) messages.push({ role: "system", content: ui.system.value.trim() });
  messages.push(...history, { role: "user", content: text });
  const request = {
    model: choice.model, messages, stream: true, stream_options: { include_usage: true },
    temperature: Number(ui.temperature.value), max_tokens: Number(ui.maxTokens.value),
  };
  if (choice.template) request.prompt_template = choice.template;

  addMessage("user", text);
  const answer = addMessage("assistant", "");
  answer.classList.add("streaming");
  const textNode = answer.querySelector(".text");
  const stats = { start: performance.now(), ttft: null, firstAt: null, lastAt: null, tokens: 0, finish: null };
  controller = new AbortController();
  setBusy(true);
  let completed = false;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST", headers: headers(), body: JSON.stringify(request), signal: controller.signal,
    });
    if (!response.ok) {
      const message = await describeError(response);
      showError(message);
      answer.remove();
      if (response.status === 401) openSettings(true);
      return;
    }

    await readEvents(response.body, (event) => {
      if (event.error) throw new Error(event.error.message || "the server failed during the stream");
      if (event.usage) stats.tokens = event.usage.completion_tokens;
      const c = event.choices && event.choices[0];
      if (!c) return;
      if (c.delta && c.delta.content) {
        const now = performance.now();
        if (stats.firstAt === null) { stats.firstAt = now; stats.ttft = now - stats.start; }
        stats.lastAt = now;
        stats.tokens += 1; // one content chunk per token; replaced by the usage count at the end
        textNode.textContent += c.delta.content;
        answer.dataset.updates = String(Number(answer.dataset.updates) + 1);
        ui.messages.scrollTop = ui.messages.scrollHeight;
        ui.stats.textContent = formatStats(stats);
      }
      if (c.finish_reason) stats.finish = c.finish_reason;
    });
    completed = true;
    history.push({ role: "user", content: text }, { role: "assistant", content: textNode.textContent });
  } catch (e) {
    if (e.name === "AbortError") {
      stats.finish = "stopped";
      setMeta(answer, "stopped");
    } else {
      showError("The request failed: " + e.message);
    }
  } finally {
    answer.classList.remove("streaming");
    answer.dataset.done = completed ? "true" : "stopped";
    ui.stats.textContent = formatStats(stats);
    controller = null;
    setBusy(false);
    ui.prompt.focus();
  }
}

ui.composer.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = ui.prompt.value.trim();
  if (!text || controller) return;
  ui.prompt.value = "";
  send(text);
});
ui.prompt.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ui.composer.requestSubmit(); }
});
ui.stop.addEventListener("click", () => controller && controller.abort());
ui.clear.addEventListener("click", () => { history.length = 0; ui.messages.replaceChildren(); ui.stats.textContent = ""; showError(""); });
ui.settingsToggle.addEventListener("click", () => openSettings(ui.settings.hidden));
for (const input of [ui.system, ui.temperature, ui.maxTokens, ui.model]) input.addEventListener("change", saveSettings);
ui.apiKey.addEventListener("change", () => { saveSettings(); loadModels(ui.model.value); });

const saved = loadSettings();
if (window.matchMedia("(max-width: 760px)").matches) openSettings(false);
refreshStatus();
setInterval(refreshStatus, 10000);
loadModels(saved.model);

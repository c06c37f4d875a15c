// Staff console: polls the console API (cookie-authenticated, same origin) and renders every
// piece of conversation text with textContent only.
import { el } from "./text.js";
import { percent, staffApi } from "./staff.js";

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);
const state = { selected: null, paused: false };
const api = staffApi("/console");

const clock = (seconds) => (seconds ? new Date(seconds * 1000).toLocaleTimeString("zh-CN", { hour12: false }) : "");

function renderList(conversations) {
  const list = $("conversations");
  list.textContent = "";
  $("empty").hidden = conversations.length > 0;
  for (const c of conversations) {
    const li = el("li");
    li.dataset.sender = c.sender_id;
    if (c.sender_id === state.selected) li.classList.add("selected");
    const row = el("div", "row1");
    if (c.paused) row.appendChild(el("span", "badge paused", "待人工"));
    row.appendChild(el("span", "sender", c.sender_id));
    row.appendChild(el("span", "badge", (c.channels || []).join(",") || "–"));
    row.appendChild(el("span", "muted", clock(c.last_time)));
    li.appendChild(row);
    li.appendChild(el("div", "last", c.last_user_text));
    if (c.citations && c.citations.length) {
      li.appendChild(el("div", "cites", `引用：${c.citations.map((n) => `第${n}条`).join("、")}`));
    }
    li.addEventListener("click", () => {
      state.selected = c.sender_id;
      refreshDetail();
      for (const other of list.children) other.classList.toggle("selected", other === li);
    });
    list.appendChild(li);
  }
}

function renderTurn(turn) {
  const li = el("li", turn.from);
  if (turn.from === "system") {
    li.textContent = turn.event === "pause" ? `${clock(turn.time)} 已转人工（机器人暂停）` : `${clock(turn.time)} 已交还机器人`;
    return li;
  }
  const who = { user: "用户", bot: "机器人", staff: "人工客服" }[turn.from];
  li.appendChild(el("span", "who", `${who} ${clock(turn.time)}`));
  li.appendChild(el("div", "text", turn.text || (turn.card_kind ? `[答案卡片：${turn.card_kind}]` : "")));
  if (turn.from === "user") {
    const nlu = el("div", "nlu");
    const top = el("span", "top-intent", `意图 ${turn.intent || "–"} ${percent(turn.confidence)}`);
    if (typeof turn.confidence === "number" && turn.confidence < 0.5) top.classList.add("low");
    nlu.appendChild(top);
    for (const r of (turn.ranking || []).slice(1)) nlu.appendChild(el("span", null, `${r.intent} ${percent(r.confidence)}`));
    for (const e of turn.entities || []) nlu.appendChild(el("span", null, `实体 ${e.entity}=${JSON.stringify(e.value)}`));
    li.appendChild(nlu);
  }
  if (turn.card_kind) {
    const cited = turn.citations && turn.citations.length ? turn.citations.map((n) => `第${n}条`).join("、") : "无";
    const verdict = turn.verdict ? ` · 结论 ${turn.verdict}` : "";
    li.appendChild(el("div", "cites", `答案卡片 ${turn.card_kind} · 引用 ${cited}${verdict}`));
  }
  if (turn.feedback) {
    const rated = el("div", `feedback feedback-${turn.feedback.rating}`, `用户反馈：${turn.feedback.label}`);
    rated.appendChild(el("span", "muted", ` ${turn.feedback.channel || ""} ${clock(turn.feedback.time)}`));
    li.appendChild(rated);
  }
  if (turn.buttons && turn.buttons.length) {
    li.appendChild(el("div", "cites", `按钮：${turn.buttons.map((b) => b.title).join(" | ")}`));
  }
  return li;
}

async function refreshDetail() {
  if (!state.selected) return;
  const detail = await api(`/conversations/${encodeURIComponent(state.selected)}`);
  $("placeholder").hidden = true;
  $("conversation").hidden = false;
  $("title").textContent = detail.sender_id;
  state.paused = detail.paused;
  $("state").textContent = detail.paused ? "人工服务中" : "机器人应答中";
  $("state").className = detail.paused ? "state badge paused" : "state badge";
  $("takeover").hidden = detail.paused;
  $("resume").hidden = !detail.paused;
  const turns = $("turns");
  const atBottom = turns.lastElementChild === null || window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  turns.textContent = "";
  for (const turn of detail.turns) turns.appendChild(renderTurn(turn));
  if (atBottom) $("detail").scrollTop = $("detail").scrollHeight;
}

async function poll() {
  try {
    const { conversations } = await api("/conversations");
    renderList(conversations);
    await refreshDetail();
  } catch (error) {
    showError(error);
  }
  setTimeout(poll, POLL_MS);
}

function showError(error) {
  $("error").hidden = !error;
  $("error").textContent = error ? `出错了：${error.message}` : "";
}

async function post(action, body) {
  try {
    await api(`/conversations/${encodeURIComponent(state.selected)}/${action}`, { method: "POST", body: JSON.stringify(body || {}) });
    showError(null);
    await refreshDetail();
  } catch (error) {
    showError(error);
  }
}

$("reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text || !state.selected) return;
  $("reply-text").value = "";
  await post("messages", { text });
});
$("reply-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("reply").requestSubmit();
  }
});
$("takeover").addEventListener("click", () => post("pause"));
$("resume").addEventListener("click", () => post("resume"));

poll();

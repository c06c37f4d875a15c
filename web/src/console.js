// Staff console: polls the console API (cookie-authenticated, same origin) and renders every
// piece of conversation text with textContent only.
import { el } from "./text.js";
import { percent, staffApi } from "./staff.js";

const POLL_MS = 2000;
const SEARCH_DELAY_MS = 300;
// While this page is open its staff member is on duty (bot/hotline/presence.py counts a console for
// HOTLINE_PRESENCE_SECONDS after its last heartbeat); 转人工 with nobody on duty offers the hotline instead.
const HEARTBEAT_MS = 15000;
const $ = (id) => document.getElementById(id);
const state = { selected: null, paused: false, optionsShown: false, filters: {} };

const CHANNELS = { webchat: "网页", wechat: "微信", telegram: "Telegram", rest: "REST" };
const STATUSES = { waiting: "待人工", staff: "人工服务中", callback: "待回电", bot: "机器人应答" };
const UNANSWERED = { fallback: "未能理解", out_of_scope: "超出范围", low_confidence: "置信度低" };
const api = staffApi("/console");
// Sanic does not decode %3A in a path parameter: "telegram:42" and "wechat:o…" keep their colon.
const senderPath = (id) => encodeURIComponent(id).replace(/%3A/gi, ":");

const clock = (seconds) => (seconds ? new Date(seconds * 1000).toLocaleTimeString("zh-CN", { hour12: false }) : "");

// "4分05秒" for a number of seconds.
function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分${String(s % 60).padStart(2, "0")}秒`;
  return `${Math.floor(m / 60)}小时${String(m % 60).padStart(2, "0")}分`;
}
const minutes = (seconds) => `${Number((seconds / 60).toFixed(1))}分钟`;

// The wait of a handed-over conversation against the first-reply target: text and a class, so
// that passing the target is said in words, not by colour alone.
function waitBadge(c, now, target) {
  if (c.handoff_time == null) return null;
  if (c.status === "waiting") {
    const waited = now - c.handoff_time;
    const over = waited > target;
    const text = over ? `已等待 ${duration(waited)} · 超过${minutes(target)}目标` : `已等待 ${duration(waited)}`;
    const badge = el("span", over ? "wait overdue" : "wait", text);
    badge.dataset.overdue = String(over);
    return badge;
  }
  if (c.status === "callback") {
    // Nobody was on duty: the user left a number (shown masked here, whole in the case) at handoff_time.
    return el("span", "wait callback", `待回电 ${c.callback_phone || ""} · 留言于 ${clock(c.handoff_time)}（${duration(now - c.handoff_time)}前）`);
  }
  if (c.first_staff_reply_time != null) {
    const took = c.first_staff_reply_time - c.handoff_time;
    const over = took > target;
    return el("span", over ? "wait late" : "wait", `首次回复用时 ${duration(took)}${over ? " · 超过目标" : ""}`);
  }
  return el("span", "wait", `转人工 ${duration(now - c.handoff_time)}`);
}

function statusBadge(status) {
  const classes = { waiting: "badge paused", staff: "badge staff", callback: "badge paused callback", bot: "badge" };
  return el("span", classes[status] || "badge", STATUSES[status] || status || "–");
}

function fillOptions(options) {
  if (state.optionsShown || !options) return;
  state.optionsShown = true;
  const add = (select, values, labels) => {
    for (const value of values) {
      const option = el("option", null, labels ? labels[value] || value : value);
      option.value = value;
      select.appendChild(option);
    }
  };
  add($("filter-department"), options.departments || []);
  add($("filter-channel"), options.channels || [], CHANNELS);
  add($("filter-status"), options.statuses || [], STATUSES);
}

function open(sender) {
  state.selected = sender;
  refreshDetail();
  for (const other of $("conversations").children) {
    other.classList.toggle("selected", other.dataset.sender === sender);
    const button = other.querySelector("button.open");
    if (button) button.toggleAttribute("aria-current", other.dataset.sender === sender);
  }
}

function renderList(conversations, now, target) {
  const list = $("conversations");
  const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("li[data-sender]") : null;
  const refocus = focused ? focused.dataset.sender : null;
  list.textContent = "";
  $("empty").hidden = conversations.length > 0;
  $("empty").textContent = Object.values(state.filters).some(Boolean) ? "没有符合筛选条件的会话。" : "暂无会话。";
  for (const c of conversations) {
    const li = el("li");
    li.dataset.sender = c.sender_id;
    li.dataset.status = c.status || (c.paused ? "waiting" : "bot");
    if (c.sender_id === state.selected) li.classList.add("selected");
    // One button per row: reachable with Tab, opened with Enter or Space, named by its text.
    const button = el("button", "open");
    button.type = "button";
    if (c.sender_id === state.selected) button.setAttribute("aria-current", "true");
    const row = el("span", "row1");
    if (c.status !== "bot") row.appendChild(statusBadge(c.status));
    row.appendChild(el("span", "sender", c.sender_id));
    row.appendChild(el("span", "badge channel", (c.channels || []).map((ch) => CHANNELS[ch] || ch).join(",") || "–"));
    row.appendChild(el("span", "muted", clock(c.last_time)));
    button.appendChild(row);
    const wait = waitBadge(c, now, target);
    if (wait) button.appendChild(wait);
    button.appendChild(el("span", "last", c.last_user_text));
    if (c.citations && c.citations.length) {
      button.appendChild(el("span", "cites", `引用：${c.citations.map((n) => `第${n}条`).join("、")}`));
    }
    if (c.departments && c.departments.length) {
      const tags = el("span", "departments");
      for (const name of c.departments) tags.appendChild(el("span", "tag", name));
      button.appendChild(tags);
    }
    button.addEventListener("click", () => open(c.sender_id));
    li.appendChild(button);
    list.appendChild(li);
    if (refocus === c.sender_id) button.focus();
  }
}

function section(title, className) {
  const box = el("div", `case-part ${className}`);
  box.appendChild(el("h3", null, title));
  return box;
}

function renderCase(c, now, target) {
  const panel = $("case");
  panel.textContent = "";
  if (!c) return;
  const head = el("div", "case-head");
  head.appendChild(statusBadge(c.status));
  head.appendChild(el("span", "badge channel", `渠道：${(c.channels || []).map((ch) => CHANNELS[ch] || ch).join("、") || "–"}`));
  const wait = waitBadge(c, now, target);
  if (wait) head.appendChild(wait);
  if (c.handoff_time != null) head.appendChild(el("span", "muted", `转人工于 ${clock(c.handoff_time)}`));
  panel.appendChild(head);

  const asked = section("咨询事项", "case-measures");
  if (c.measures && c.measures.length) {
    const ul = el("ul");
    for (const m of c.measures) {
      const li = el("li", null, `第${m.number}条 ${m.title || ""}`);
      if (m.departments && m.departments.length) li.appendChild(el("span", "muted", ` · 部门：${m.departments.join("、")}`));
      ul.appendChild(li);
    }
    asked.appendChild(ul);
  } else asked.appendChild(el("p", "muted", "尚未涉及具体条款。"));
  panel.appendChild(asked);

  const facts = section("已了解的情况", "case-facts");
  if (c.facts && c.facts.length) {
    const dl = el("dl");
    for (const f of c.facts) {
      dl.appendChild(el("dt", null, f.label));
      dl.appendChild(el("dd", null, f.value));
    }
    facts.appendChild(dl);
  } else facts.appendChild(el("p", "muted", "用户尚未提供资格条件相关的情况。"));
  panel.appendChild(facts);

  const verdict = section("资格判断", "case-verdict");
  if (c.verdict) {
    const cited = (c.verdict.citations || []).map((n) => `第${n}条`).join("、");
    verdict.appendChild(el("p", `verdict verdict-${c.verdict.verdict}`, `${c.verdict.label || c.verdict.verdict}${cited ? `（${cited}）` : ""}`));
    if (c.verdict.missing && c.verdict.missing.length) {
      verdict.appendChild(el("p", null, "还缺："));
      const ul = el("ul", "missing");
      for (const m of c.verdict.missing) ul.appendChild(el("li", null, m));
      verdict.appendChild(ul);
    }
    const failed = (c.verdict.reasons || []).filter((r) => r.met === false);
    for (const r of failed) verdict.appendChild(el("p", "failed", `不满足：${r.condition}${r.fact ? `（用户：${r.fact}）` : ""}`));
    if (c.verdict.next_question) verdict.appendChild(el("p", "muted", `下一问：${c.verdict.next_question}`));
  } else verdict.appendChild(el("p", "muted", "没有做过资格判断。"));
  panel.appendChild(verdict);

  const missed = section("机器人未能回答", "case-unanswered");
  if (c.unanswered && c.unanswered.length) {
    const ul = el("ul");
    for (const q of c.unanswered) {
      const li = el("li", null, q.text);
      li.appendChild(el("span", "muted", ` · ${UNANSWERED[q.reason] || q.reason}${typeof q.confidence === "number" ? ` ${percent(q.confidence)}` : ""}`));
      ul.appendChild(li);
    }
    missed.appendChild(ul);
  } else missed.appendChild(el("p", "muted", "无。"));
  panel.appendChild(missed);
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
  if (turn.undelivered) li.appendChild(el("div", "undelivered", "未送达：用户没有收到这条回复"));
  if (turn.buttons && turn.buttons.length) {
    li.appendChild(el("div", "cites", `按钮：${turn.buttons.map((b) => b.title).join(" | ")}`));
  }
  return li;
}

async function refreshDetail() {
  if (!state.selected) return;
  const detail = await api(`/conversations/${senderPath(state.selected)}`);
  $("placeholder").hidden = true;
  $("conversation").hidden = false;
  $("title").textContent = detail.sender_id;
  state.paused = detail.paused;
  const status = detail.case ? detail.case.status : detail.paused ? "staff" : "bot";
  $("state").textContent = STATUSES[status] || status;
  $("state").className = detail.paused ? "state badge paused" : "state badge";
  $("takeover").hidden = detail.paused;
  $("resume").hidden = !detail.paused;
  // A call-back left while nobody was on duty: the number and the question, until staff mark it done.
  $("callback-done").hidden = !detail.callback;
  $("callback").hidden = !detail.callback;
  if (detail.callback) $("callback").textContent = `待回电：${detail.callback.phone}（${clock(detail.callback.at)}）问题：${detail.callback.question}`;
  renderDelivery(detail.delivery);
  renderCase(detail.case, detail.now || Date.now() / 1000, detail.target_s || 180);
  const turns = $("turns");
  // The turns scroll under the case panel; follow new turns unless staff scrolled up to read.
  const atBottom = turns.lastElementChild === null || turns.scrollTop + turns.clientHeight >= turns.scrollHeight - 40;
  turns.textContent = "";
  for (const turn of detail.turns) turns.appendChild(renderTurn(turn));
  if (atBottom) turns.scrollTop = turns.scrollHeight;
}

// Whether a reply can reach this user on the user's channel, said before staff type (WeChat's
// 48-hour window, an account without 客服消息, a REST caller that cannot be pushed to).
function renderDelivery(delivery) {
  const blocked = Boolean(delivery && !delivery.deliverable);
  $("delivery").hidden = !blocked;
  $("delivery").textContent = blocked ? `无法回复：${delivery.message}` : "";
  $("reply-text").disabled = blocked;
  $("reply").querySelector("button").disabled = blocked;
}

function query() {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.filters)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// One chain of polls: a filter change starts a new one, and an answer to an older request
// (other filters) is dropped.
let polling = null;
let generation = 0;
async function poll() {
  clearTimeout(polling);
  const mine = ++generation;
  try {
    const body = await api(`/conversations${query()}`);
    if (mine !== generation) return;
    fillOptions(body.options);
    $("target-hint").textContent = body.target_s ? `；首次回复目标 ${minutes(body.target_s)}` : "";
    renderList(body.conversations, body.now, body.target_s || 180);
    $("held-capped").hidden = !body.held_capped;
    $("held-capped").textContent = body.held_capped ? `转人工与待回电的会话超过 ${body.max_held} 个，只列出等待最久的 ${body.max_held} 个；请先处理已列出的会话。` : "";
    await refreshDetail();
    showError(null);
  } catch (error) {
    showError(error);
  }
  if (mine === generation) polling = setTimeout(poll, POLL_MS);
}

let typing = null;
function filtersChanged() {
  state.filters = {
    q: $("filter-q").value.trim(),
    department: $("filter-department").value,
    channel: $("filter-channel").value,
    status: $("filter-status").value,
  };
  poll();
}
$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  filtersChanged();
});
$("filter-q").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(filtersChanged, SEARCH_DELAY_MS);
});
for (const id of ["filter-department", "filter-channel", "filter-status"]) $(id).addEventListener("change", filtersChanged);

function showError(error) {
  $("error").hidden = !error;
  $("error").textContent = error ? `出错了：${error.message}` : "";
}

async function post(action, body) {
  try {
    const done = await api(`/conversations/${senderPath(state.selected)}/${action}`, { method: "POST", body: JSON.stringify(body || {}) });
    // The hand-back notice goes to the user's channel too; say so when it could not.
    const missed = done.delivery && done.delivery.delivered === false;
    showError(missed ? new Error(`交还通知未送达：${done.delivery.message}`) : null);
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
$("callback-done").addEventListener("click", () => post("callback-done"));

async function heartbeat() {
  try {
    const { hotline } = await api("/presence", { method: "POST", body: JSON.stringify({ on_duty: true }) });
    $("duty").textContent = hotline.within_hours ? "在岗：用户转人工将接入本控制台" : `非人工服务时间（${hotline.hours}）：转人工将提供热线与留言回电`;
  } catch (error) {
    showError(error);
  }
  setTimeout(heartbeat, HEARTBEAT_MS);
}

heartbeat();

poll();

// Maintainers' review inbox: each missed message with how the bot read it, a form to say what it
// meant (training data, checked by the server), retraining behind the model gate, the switch log.
// All text goes in with textContent (el); nothing a user typed becomes HTML.
import { el } from "./text.js";
import { percent, staffApi } from "./staff.js";

const $ = (id) => document.getElementById(id);
const REASONS = { fallback: "答不上", low_score: "置信度低", not_useful: "被评没用", handoff: "转人工" };
const KINDS = { measure: "某条措施", faq: "某个常见问题", out_of_scope: "不在本文件范围", chitchat: "闲聊", new_faq: "写一条新的常见问题" };
const state = { options: null };

const api = staffApi("/review");

function select(options, name) {
  const s = el("select");
  s.name = name;
  for (const [value, label] of options) {
    const o = el("option", null, label);
    o.value = value;
    s.appendChild(o);
  }
  return s;
}

function decisionForm(item) {
  const form = el("form", "decision");
  const kind = select(Object.entries(KINDS), "kind");
  const fields = el("span", "fields");
  const result = el("span", "result");
  const render = () => {
    fields.textContent = "";
    const o = state.options;
    if (kind.value === "measure") {
      fields.append(select(o.measures.map((m) => [m.key, `第${m.number}条 ${m.title}`]), "measure"),
        select([["", "（不限方面）"], ...o.aspects.map((a) => [a.key, a.label])], "aspect"));
    } else if (kind.value === "faq") {
      fields.append(select(o.faqs.map((f) => [f.key, f.question]), "faq"));
    } else if (kind.value === "chitchat") {
      fields.append(select(o.chitchat.map((c) => [c, c]), "intent"));
    } else if (kind.value === "new_faq") {
      const key = el("input");
      key.name = "key";
      key.placeholder = "key（如 issue_office）";
      const questions = el("textarea");
      questions.name = "questions";
      questions.rows = 3;
      questions.value = item.text;
      questions.placeholder = "问法，每行一个（至少3个，含用户原话）";
      const answer = el("textarea");
      answer.name = "answer";
      answer.rows = 2;
      answer.placeholder = "回答（只用文件里的内容，引用时写第N条）";
      const cites = el("input");
      cites.name = "citations";
      cites.placeholder = "引用的条款号，空格分隔";
      fields.append(key, questions, answer, cites);
    }
  };
  kind.addEventListener("change", render);
  render();
  const submit = el("button", null, "确认");
  submit.type = "submit";
  form.append(el("span", null, "这句话问的是："), kind, fields, submit, result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { text: item.text, kind: kind.value };
    for (const name of ["measure", "faq", "intent"]) if (data.get(name)) body[name] = data.get(name);
    if (data.get("aspect")) body.aspect = data.get("aspect");
    if (kind.value === "new_faq") {
      body.entry = {
        key: data.get("key"),
        questions: String(data.get("questions")).split("\n").map((q) => q.trim()).filter(Boolean),
        answer: data.get("answer"),
        citations: String(data.get("citations") || "").split(/\s+/).filter(Boolean).map(Number),
      };
    }
    try {
      const { written } = await api("/decisions", { method: "POST", body: JSON.stringify(body) });
      result.className = "result ok";
      result.textContent = `已写入 ${written.file}（${written.intent}），重新训练后生效`;
      submit.disabled = true;
    } catch (error) {
      result.className = "result refused";
      result.textContent = `未写入：${error.message}`;
    }
  });
  return form;
}

function renderItem(item) {
  const li = el("li", "item");
  const head = el("div", "row1");
  head.appendChild(el("strong", null, item.text));
  head.appendChild(el("span", "badge", `×${item.count}`));
  for (const [reason, count] of Object.entries(item.reasons)) head.appendChild(el("span", "badge paused", `${REASONS[reason] || reason} ${count}`));
  li.appendChild(head);
  if (item.wordings.length > 1) li.appendChild(el("div", "muted", `相近说法：${item.wordings.map(([t, n]) => `${t}（${n}）`).join("；")}`));
  const latest = item.latest;
  li.appendChild(el("div", "nlu", `识别：${(latest.ranking || []).map((r) => `${r.intent} ${percent(r.confidence)}`).join("，") || "–"}`));
  li.appendChild(el("div", "text answer", `机器人回答（${latest.card_kind || "无卡片"}${latest.citations.length ? " · 第" + latest.citations.join("、") + "条" : ""}）：${latest.answer || "–"}`));
  for (const feedback of item.feedback) li.appendChild(el("div", "feedback feedback-not_useful", `用户反馈：${feedback}`));
  li.appendChild(decisionForm(item));
  return li;
}

async function refreshInbox() {
  const { items, maintainer } = await api("/inbox");
  $("who").textContent = `已登录：${maintainer}`;
  $("empty").hidden = items.length > 0;
  $("items").textContent = "";
  for (const item of items) $("items").appendChild(renderItem(item));
}

function renderGate(status) {
  const box = $("gate");
  box.hidden = status.state === "idle";
  box.textContent = "";
  const labels = { training: "训练中", scoring: "检验中", switching: "切换中", passed: "检验通过", switched: "已切换到新模型", refused: "未通过：旧模型继续服务", failed: "失败" };
  box.appendChild(el("div", `gate-state gate-${status.state}`, `${labels[status.state] || status.state} ${Math.round((status.progress || 0) * 100)}% · ${status.step || ""}`));
  const bar = el("progress");
  bar.max = 1;
  bar.value = status.progress || 0;
  box.appendChild(bar);
  for (const check of status.fell || []) {
    box.appendChild(el("div", "refused", `下降：${check.name} ${percent(check.measured)} < ${percent(check.floor)}（${check.against}）`));
  }
  if (status.serving_now) box.appendChild(el("div", "muted", `当前服务模型：${status.serving_now}`));
  $("retrain").disabled = Boolean(status.running);
}

async function refreshGate() {
  const status = await api("/retrain");
  renderGate(status);
  return status;
}

async function refreshSwitches() {
  const { switches } = await api("/switches");
  $("switches").textContent = "";
  for (const s of switches.slice().reverse()) {
    const scores = Object.entries(s.scores || {}).map(([name, v]) => `${name} ${percent(v.clause_accuracy)}/${percent(v.out_of_scope_rejection)}`).join("，");
    $("switches").appendChild(el("li", null, `${new Date(s.at * 1000).toLocaleString("zh-CN")} ${s.by}：${s.replaced || "–"} → ${s.model}（${scores}）`));
  }
}

async function poll() {
  try {
    const status = await refreshGate();
    if (["switched", "refused", "failed"].includes(status.state)) await refreshSwitches();
  } catch (error) {
    $("error").hidden = false;
    $("error").textContent = error.message;
  }
  setTimeout(poll, 3000);
}

$("retrain").addEventListener("click", async () => {
  try {
    await api("/retrain", { method: "POST", body: "{}" });
    await refreshGate();
  } catch (error) {
    $("error").hidden = false;
    $("error").textContent = error.message;
  }
});

(async () => {
  try {
    state.options = await api("/options");
    await refreshInbox();
    await refreshSwitches();
  } catch (error) {
    $("error").hidden = false;
    $("error").textContent = error.message;
  }
  poll();
})();

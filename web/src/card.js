// The answer card (docs/ARCHITECTURE.md) as a compact panel: cited measures (original text on click),
// the verdict badge with its reasons, the next question, notes, the source, a copy button and,
// for policy answers, the 口播稿 (spoken version) with its own copy button.
// The verdict labels are the server's (knowledge/card.py, sent in /webchat/config): one definition
// for the answers, the chat footers and this badge.
import { el, copyText } from "./text.js";

const KIND_LABELS = {
  policy: "政策解答",
  eligibility: "资格判断",
  match: "政策匹配",
  fallback: "未能回答",
  out_of_scope: "不在本文件范围",
  handoff: "转人工",
};

function reasonIcon(met) {
  if (met === true) return ["✓", "wq-met"];
  if (met === false) return ["✗", "wq-unmet"];
  return ["?", "wq-unknown"];
}

export function renderCard(card, { openMeasure, answerText, verdictLabels = {} }) {
  const panel = el("section", `wq-card wq-card-${card.kind || "policy"}`);
  panel.dataset.kind = card.kind || "";

  const head = el("div", "wq-card-head");
  head.appendChild(el("span", "wq-card-kind", KIND_LABELS[card.kind] || card.kind || "回答"));
  const verdictLabel = Object.prototype.hasOwnProperty.call(verdictLabels, card.verdict || "") ? verdictLabels[card.verdict] : null;
  if (verdictLabel) {
    const badge = el("span", `wq-verdict wq-verdict-${card.verdict.replace(/_/g, "-")}`, verdictLabel);
    badge.dataset.verdict = card.verdict;
    head.appendChild(badge);
  }
  panel.appendChild(head);

  const citations = Array.isArray(card.citations) ? card.citations : [];
  if (citations.length) {
    const row = el("div", "wq-citations");
    row.appendChild(el("span", "wq-label", "依据"));
    for (const number of citations) {
      const chip = el("button", "wq-citation", `第${Number(number)}条`);
      chip.type = "button";
      chip.dataset.measure = String(Number(number));
      chip.title = "查看原文";
      chip.addEventListener("click", () => openMeasure(Number(number), panel));
      row.appendChild(chip);
    }
    panel.appendChild(row);
  }

  const reasons = Array.isArray(card.reasons) ? card.reasons : [];
  if (reasons.length) {
    const list = el("ul", "wq-reasons");
    for (const reason of reasons) {
      const [icon, className] = reasonIcon(reason.met);
      const li = el("li", className);
      li.appendChild(el("span", "wq-reason-icon", icon));
      const body = el("span", "wq-reason-body");
      body.appendChild(el("span", "wq-reason-condition", reason.condition));
      if (reason.fact !== undefined && reason.fact !== null && reason.fact !== "") {
        body.appendChild(el("span", "wq-reason-fact", `（您的情况：${reason.fact}）`));
      }
      li.appendChild(body);
      list.appendChild(li);
    }
    panel.appendChild(list);
  }

  if (card.next_question) panel.appendChild(el("p", "wq-next-question", card.next_question));
  if (card.kind === "handoff") panel.appendChild(el("p", "wq-handoff", "已通知人工客服，工作人员接入后会在此回复。"));

  const notes = Array.isArray(card.notes) ? card.notes : [];
  if (notes.length) {
    const list = el("ul", "wq-notes");
    for (const note of notes) list.appendChild(el("li", null, note));
    panel.appendChild(list);
  }

  const foot = el("div", "wq-card-foot");
  if (card.source && card.source.issuer) {
    foot.appendChild(el("span", "wq-source", `来源：${card.source.issuer} ${card.source.date || ""}`.trim()));
  }
  if (answerText && card.kind !== "handoff") {
    const copy = el("button", "wq-copy", "复制回答");
    copy.type = "button";
    copy.addEventListener("click", async () => {
      const cited = citations.length ? `\n（依据：${citations.map((n) => `第${n}条`).join("、")}）` : "";
      const text = answerText().trim();
      const ok = await copyText(text.includes("依据") || !cited ? text : text + cited);
      copy.textContent = ok ? "已复制" : "复制失败";
      setTimeout(() => (copy.textContent = "复制回答"), 1500);
    });
    foot.appendChild(copy);
  }
  const spoken = typeof card.spoken === "string" && card.spoken.trim() ? card.spoken.trim() : null;
  let spokenPanel = null;
  if (spoken) {
    spokenPanel = renderSpoken(spoken);
    const toggle = el("button", "wq-spoken-toggle", "口播稿");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", spokenPanel.id);
    toggle.addEventListener("click", () => {
      spokenPanel.hidden = !spokenPanel.hidden;
      toggle.setAttribute("aria-expanded", String(!spokenPanel.hidden));
      if (!spokenPanel.hidden) spokenPanel.querySelector(".wq-spoken-text").focus();
    });
    foot.appendChild(toggle);
  }
  panel.appendChild(foot);
  if (spokenPanel) panel.appendChild(spokenPanel);
  panel.appendChild(el("div", "wq-measure-slot"));
  return panel;
}

let spokenPanels = 0;

// The 口播稿 (knowledge/spoken.py): the same answer as hotline staff read it out, with its own copy button.
function renderSpoken(spoken) {
  spokenPanels += 1;
  const box = el("div", "wq-spoken");
  box.id = `wq-spoken-${spokenPanels}`;
  box.hidden = true;
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", "口播稿");
  const head = el("div", "wq-spoken-head");
  head.appendChild(el("span", "wq-spoken-title", "口播稿"));
  head.appendChild(el("span", "wq-spoken-hint", "可直接读给来电人听，约40秒以内；完整内容见上方回答"));
  const text = el("p", "wq-spoken-text", spoken);
  text.tabIndex = -1;
  const copy = el("button", "wq-spoken-copy", "复制口播稿");
  copy.type = "button";
  copy.addEventListener("click", async () => {
    const ok = await copyText(spoken);
    copy.textContent = ok ? "已复制" : "复制失败";
    setTimeout(() => (copy.textContent = "复制口播稿"), 1500);
  });
  box.append(head, text, copy);
  return box;
}

// Shows the original text of measure `number` inside the card (toggles when clicked again).
export async function showMeasure(server, number, panel) {
  const slot = panel.querySelector(".wq-measure-slot");
  const open = slot.querySelector(`[data-measure="${number}"]`);
  if (open) {
    open.remove();
    return;
  }
  const box = el("div", "wq-measure-text");
  box.dataset.measure = String(number);
  box.appendChild(el("p", "wq-loading", "正在载入原文…"));
  slot.appendChild(box);
  try {
    const reply = await fetch(`${server}/webchat/measures/${number}`);
    if (!reply.ok) throw new Error(String(reply.status));
    const measure = await reply.json();
    box.textContent = "";
    box.appendChild(el("h4", null, `第${measure.number}条 ${measure.title}`));
    box.appendChild(el("p", "wq-original", measure.text));
    if (measure.source) {
      box.appendChild(el("p", "wq-source", `${measure.source.title}（${measure.source.issuer}，${measure.source.date}）`));
    }
  } catch (error) {
    box.textContent = "";
    box.appendChild(el("p", "wq-error", `原文暂时无法载入（${error.message}），请稍后再试。`));
  }
}

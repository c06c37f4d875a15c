// 有用 / 没用 under each answer that can be rated, and after 没用 a reason (bot/channels/feedback.py).
// The rating names its answer by answer_ref, the FNV-1a hash of the answer's texts that the server
// computes the same way from the conversation, so a reload or another replica finds the same answer.
import { el } from "./text.js";

export const DEFAULT_RATED_KINDS = ["policy", "eligibility", "match"];

function textParts(text) {
  return String(text).trim().split("\n\n").map((part) => part.trim()).filter(Boolean);
}

export function answerRef(texts) {
  const joined = texts.flatMap(textParts).join("\n\n");
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(joined)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export function isRated(card, ratedKinds) {
  return Boolean(card) && (ratedKinds || DEFAULT_RATED_KINDS).includes(card.kind) && card.verdict !== "need_info";
}

// The row under one answer. `config` is /webchat/config's feedback (words and reasons);
// `send(rating)` emits answer_feedback and resolves once the server stored it.
export function renderFeedback(ref, config, send, given) {
  const row = el("div", "wq-feedback");
  row.dataset.answerRef = ref;
  const texts = config.texts;
  const status = el("span", "wq-feedback-status");
  status.setAttribute("role", "status");
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", texts.ask);

  // The row's buttons are replaced as the rating goes on; a keyboard user's focus follows them.
  const hadFocus = () => row.contains(row.getRootNode().activeElement);
  // ``focused``: whether the keyboard focus was in the row when the user acted (taken before the
  // buttons were disabled, which takes the focus away from them).
  const thank = (text, focused) => {
    row.textContent = "";
    const done = el("span", "wq-feedback-done", text);
    done.setAttribute("role", "status");
    done.tabIndex = -1;
    row.appendChild(done);
    row.dataset.state = "done";
    if (focused) done.focus();
  };

  const askWhy = (focused) => {
    row.textContent = "";
    row.dataset.state = "why";
    row.appendChild(el("div", "wq-feedback-question", texts.why));
    const reasons = el("div", "wq-feedback-reasons");
    let chosen = null;
    for (const [key, label] of Object.entries(config.reasons)) {
      const chip = el("button", "wq-feedback-reason", label);
      chip.type = "button";
      chip.dataset.reason = key;
      chip.setAttribute("aria-pressed", "false");
      chip.addEventListener("click", () => {
        chosen = key;
        for (const other of reasons.children) {
          other.classList.toggle("wq-selected", other === chip);
          other.setAttribute("aria-pressed", String(other === chip));
        }
      });
      reasons.appendChild(chip);
    }
    const comment = el("textarea", "wq-feedback-comment");
    comment.rows = 2;
    comment.maxLength = 500;
    comment.placeholder = texts.comment_placeholder;
    comment.setAttribute("aria-label", texts.comment_placeholder);
    const submit = el("button", "wq-feedback-submit", texts.submit);
    submit.type = "button";
    submit.addEventListener("click", async () => {
      const words = comment.value.trim();
      if (!chosen && !words) return;
      const focused = hadFocus();
      submit.disabled = true;
      const sent = await send({ rating: "not_useful", reason: chosen || "other", comment: words || undefined });
      if (sent) thank(texts.reason_thanks, focused);
      else {
        submit.disabled = false;
        status.textContent = texts.failed;
      }
    });
    row.append(reasons, comment, submit, status);
    if (focused && reasons.firstElementChild) reasons.firstElementChild.focus();
  };

  const ask = () => {
    row.dataset.state = "ask";
    row.appendChild(el("span", "wq-feedback-question", texts.ask));
    for (const rating of ["useful", "not_useful"]) {
      const button = el("button", `wq-feedback-rate wq-rate-${rating}`, config.ratings[rating]);
      button.type = "button";
      button.dataset.rating = rating;
      button.addEventListener("click", async () => {
        const focused = hadFocus();
        for (const b of row.querySelectorAll("button")) b.disabled = true;
        const sent = await send({ rating });
        if (!sent) {
          for (const b of row.querySelectorAll("button")) b.disabled = false;
          status.textContent = texts.failed;
          if (focused) button.focus();
        } else if (rating === "useful") thank(texts.thanks, focused);
        else askWhy(focused);
      });
      row.appendChild(button);
    }
    row.appendChild(status);
  };

  if (given && given.rating === "useful") thank(texts.thanks, false);
  else if (given && given.rating === "not_useful" && given.reason) thank(texts.reason_thanks, false);
  else if (given && given.rating === "not_useful") askWhy(false);
  else ask();
  return row;
}

// 皖企政策助手 web chat widget. Embed in any page with one tag:
//   <script src="https://HOST/webchat/widget.js" defer></script>
// Options on the tag: data-mode="page" fills the page (the /webchat/ page uses it); otherwise a
// 政策咨询 button opens the chat in a corner panel. The server is the script's own origin.
import { io } from "socket.io-client";
import { el, renderText } from "./text.js";
import { renderCard, showMeasure } from "./card.js";
import { answerRef, isRated, renderFeedback } from "./feedback.js";
import css from "./widget.css";

const STORAGE_KEY = "wanqi-webchat-session";
// 适老化: the larger-text mode, remembered across visits.
const LARGE_TEXT_KEY = "wanqi-webchat-large-text";
// How many recent announcements the live region keeps (older ones are removed, never re-read).
const ANNOUNCED_KEPT = 3;
const TYPING_TIMEOUT_MS = 45000;
const WELCOME = "您好！我是皖企政策助手，解答安徽省经信厅《若干意见》实施意见的22条措施。请直接提问，例如：徽商服务卡有什么用？";

const script = document.currentScript;
const server = script && script.src ? new URL(script.src).origin : window.location.origin;
const mode = (script && script.dataset.mode) || "embed";

function stored(key) {
  try {
    return window.localStorage.getItem(key);
  } catch (_) {
    return null;
  }
}

function store(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch (_) {
    // private browsing: the conversation (and the text size) then last as long as the page
  }
}

function build() {
  const host = el("div");
  host.id = "wanqi-webchat";
  const root = host.attachShadow({ mode: "open" });
  const style = el("style");
  style.textContent = css;
  root.appendChild(style);

  const frame = el("div", `wq-frame wq-${mode}`);
  const panel = el("div", "wq-panel");
  panel.id = "wq-panel";
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-label", "皖企政策助手 在线咨询");
  const header = el("header", "wq-header");
  header.appendChild(el("h2", "wq-title", "皖企政策助手"));
  header.appendChild(el("span", "wq-subtitle", "安徽省民营经济政策咨询"));
  // 适老化: larger text for older users, remembered in localStorage.
  const large = el("button", "wq-large-toggle", "大字");
  large.type = "button";
  large.title = "大字模式（适老化）";
  const setLarge = (on) => {
    frame.classList.toggle("wq-large", on);
    large.setAttribute("aria-pressed", String(on));
    large.setAttribute("aria-label", on ? "大字模式已开启（适老化），点击恢复标准字号" : "开启大字模式（适老化）");
  };
  setLarge(stored(LARGE_TEXT_KEY) === "1");
  large.addEventListener("click", () => {
    const on = !frame.classList.contains("wq-large");
    setLarge(on);
    store(LARGE_TEXT_KEY, on ? "1" : "0");
  });
  header.appendChild(large);
  const status = el("div", "wq-status");
  status.hidden = true;
  status.setAttribute("role", "status");
  // The conversation; what is new in it is read out by the live region below, answers only.
  const log = el("div", "wq-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "off");
  log.setAttribute("aria-label", "对话记录");
  log.tabIndex = 0;
  const announcer = el("div", "wq-sr-only wq-announcer");
  announcer.setAttribute("aria-live", "polite");
  announcer.setAttribute("aria-atomic", "false");
  const typing = el("div", "wq-typing");
  typing.hidden = true;
  typing.appendChild(el("span", "wq-sr-only", "助手正在输入"));
  for (let i = 0; i < 3; i += 1) {
    const dot = el("span", "wq-dot");
    dot.setAttribute("aria-hidden", "true");
    typing.appendChild(dot);
  }
  const notice = el("div", "wq-notice");
  notice.hidden = true;
  notice.setAttribute("role", "alert");
  const form = el("form", "wq-form");
  const input = el("textarea", "wq-input");
  input.rows = 1;
  input.placeholder = "请输入您的问题，回车发送";
  input.setAttribute("aria-label", "您的问题");
  const send = el("button", "wq-send", "发送");
  send.type = "submit";
  form.append(input, send);
  panel.append(header, status, log, typing, notice, form, announcer);

  if (mode === "page") {
    frame.appendChild(panel);
  } else {
    const launcher = el("button", "wq-launcher", "政策咨询");
    launcher.type = "button";
    launcher.setAttribute("aria-controls", panel.id);
    launcher.setAttribute("aria-expanded", "false");
    panel.hidden = true;
    const show = (open) => {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
      else launcher.focus();
    };
    launcher.addEventListener("click", () => show(panel.hidden));
    const close = el("button", "wq-close", "×");
    close.type = "button";
    close.title = "收起";
    close.setAttribute("aria-label", "收起对话");
    close.addEventListener("click", () => show(false));
    // Esc closes the panel from anywhere inside it, as a dialog would.
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") show(false);
    });
    header.appendChild(close);
    frame.append(panel, launcher);
  }
  root.appendChild(frame);
  (mode === "page" && document.getElementById("wanqi-chat")) ? document.getElementById("wanqi-chat").appendChild(host) : document.body.appendChild(host);
  return { root, log, typing, notice, status, form, input, send, announcer };
}

function start() {
  const ui = build();
  const state = { sessionId: stored(STORAGE_KEY), maxChars: 500, historyLoaded: false, lastBot: null, typingTimer: null,
    feedback: null, verdictLabels: {}, pendingRatings: new Map() };

  const scrollDown = () => {
    ui.log.scrollTop = ui.log.scrollHeight;
  };

  const setTyping = (on) => {
    ui.typing.hidden = !on;
    clearTimeout(state.typingTimer);
    if (on) state.typingTimer = setTimeout(() => (ui.typing.hidden = true), TYPING_TIMEOUT_MS);
    scrollDown();
  };

  const showNotice = (text) => {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  };

  const setHandoff = (on) => {
    ui.status.hidden = !on;
    ui.status.textContent = on ? "已转人工：工作人员会在这里回复您" : "";
  };

  // Screen readers hear each new answer once, through the live region (the log itself is silent).
  const announce = (text) => {
    ui.announcer.appendChild(el("p", null, text));
    while (ui.announcer.childElementCount > ANNOUNCED_KEPT) ui.announcer.firstElementChild.remove();
  };

  const removeButtons = () => {
    for (const row of ui.log.querySelectorAll(".wq-buttons")) row.remove();
  };

  const addUser = (text) => {
    const bubble = el("div", "wq-msg wq-user");
    bubble.appendChild(renderText(text));
    ui.log.appendChild(bubble);
    state.lastBot = null;
    scrollDown();
  };

  const openMeasure = (number, panel) => showMeasure(server, number, panel);

  const openMeasureFromText = (number, bubble) => {
    let panel = bubble.querySelector(".wq-card");
    if (!panel) {
      panel = el("div", "wq-card wq-card-inline");
      panel.appendChild(el("div", "wq-measure-slot"));
      bubble.appendChild(panel);
    }
    showMeasure(server, number, panel);
  };

  // One bot turn = a group: its text bubbles, then the card under them.
  const botGroup = (from) => {
    if (state.lastBot && state.lastBot.from === from) return state.lastBot;
    const group = el("div", `wq-msg wq-bot${from === "staff" ? " wq-staff" : ""}`);
    if (from === "staff") group.appendChild(el("div", "wq-who", "人工客服"));
    ui.log.appendChild(group);
    state.lastBot = { from, group, texts: [], sinceCard: [] };
    return state.lastBot;
  };

  const addBot = (message, live) => {
    const from = message.from || (message.staff ? "staff" : "bot");
    const turn = botGroup(from);
    if (message.text) {
      const text = el("div", "wq-text");
      text.appendChild(renderText(message.text, (n) => openMeasureFromText(n, text)));
      turn.group.appendChild(text);
      turn.texts.push(message.text);
      turn.sinceCard.push(message.text);
    }
    const card = message.card || (message.custom && message.custom.answer_card);
    if (card && typeof card === "object") {
      const texts = turn.texts;
      const verdictLabels = state.verdictLabels;
      turn.group.appendChild(renderCard(card, { openMeasure, answerText: () => texts.join("\n"), verdictLabels }));
      // A hand-off to a person pauses the bot; "no_staff" / "off_hours" offer the hotline instead.
      if (card.kind === "handoff" && live && (card.handoff || "staff") === "staff") setHandoff(true);
      // History messages carry their answer_ref (and any rating given); live ones are hashed here.
      const ref = message.answer_ref || (!message.time && turn.sinceCard.length && state.feedback &&
        isRated(card, state.feedback.rated_kinds) ? answerRef(turn.sinceCard) : null);
      if (ref && state.feedback) {
        const given = message.rating ? { rating: message.rating, reason: message.reason } : null;
        turn.group.appendChild(renderFeedback(ref, state.feedback, (rating) => sendRating(ref, rating), given));
      }
      turn.sinceCard = [];
    }
    const buttons = message.buttons || message.quick_replies || [];
    if (live && buttons.length) {
      const row = el("div", "wq-buttons");
      for (const button of buttons) {
        const b = el("button", "wq-button", button.title);
        b.type = "button";
        b.addEventListener("click", () => {
          sendMessage(button.payload, button.title);
          ui.input.focus(); // the buttons are gone with the answer; the keyboard goes on in the input
        });
        row.appendChild(b);
      }
      turn.group.appendChild(row);
    }
    if (message.resumed) setHandoff(false);
    scrollDown();
  };

  const socket = io(server, { path: "/socket.io", transports: ["websocket", "polling"] });

  // Resolves true once the server stored the rating (feedback_saved), false on an error or no answer.
  function sendRating(ref, rating) {
    if (!socket.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), 10000);
      const settle = (ok) => {
        clearTimeout(timer);
        state.pendingRatings.delete(ref);
        resolve(ok);
      };
      state.pendingRatings.set(ref, settle);
      socket.emit("answer_feedback", { answer_ref: ref, ...rating });
    });
  }
  socket.on("feedback_saved", (saved) => {
    const settle = saved && state.pendingRatings.get(saved.answer_ref);
    if (settle) settle(true);
  });
  socket.on("feedback_error", () => {
    for (const settle of [...state.pendingRatings.values()]) settle(false);
  });

  function sendMessage(payload, shown) {
    const text = String(payload ?? "").trim();
    if (!text) return;
    const visible = shown || text;
    if (text.length > state.maxChars) {
      showNotice(`消息太长：${text.length}字，最多${state.maxChars}字。请精简后再发送。`);
      return;
    }
    if (!state.sessionId || !socket.connected) {
      showNotice("正在连接服务器，请稍候再发送。");
      return;
    }
    showNotice("");
    removeButtons();
    addUser(visible);
    const metadata = shown ? { shown_text: shown } : {};
    socket.emit("user_uttered", { message: text, session_id: state.sessionId, metadata });
    setTyping(ui.status.hidden);
  }

  async function loadHistory(sessionId) {
    try {
      const reply = await fetch(`${server}/webchat/history/${sessionId}`);
      if (!reply.ok) return false;
      const history = await reply.json();
      if (!history.messages.length) return false;
      history.messages.forEach((message, index) => {
        if (message.from === "user") addUser(message.text);
        else addBot(message, index === history.messages.length - 1);
      });
      setHandoff(Boolean(history.paused));
      return true;
    } catch (_) {
      return false;
    }
  }

  socket.on("connect", () => {
    showNotice("");
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("connect_error", () => showNotice("暂时连不上服务器，正在重试…"));
  socket.on("disconnect", () => showNotice("连接已断开，正在重连…"));
  socket.on("session_confirm", async (sessionId) => {
    const id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
    state.sessionId = id;
    store(STORAGE_KEY, id);
    if (!state.historyLoaded) {
      state.historyLoaded = true;
      await configReady;
      const had = await loadHistory(id);
      if (!had) addBot({ text: WELCOME }, true);
    }
    ui.root.host.dataset.session = id;
    ui.root.host.dataset.ready = "true";
  });
  socket.on("bot_uttered", async (message) => {
    if (!message || typeof message !== "object") return;
    await configReady; // the card's labels come with the config
    if (message.notice === "too_long") showNotice(message.text);
    setTyping(false);
    if (message.notice === "too_long") return;
    addBot(message, true);
    const from = message.from || (message.staff ? "staff" : "bot");
    if (message.text) announce(`${from === "staff" ? "人工客服" : "助手"}：${message.text}`);
  });

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    if (text.trim().length > state.maxChars) {
      showNotice(`消息太长：${text.trim().length}字，最多${state.maxChars}字。请精简后再发送。`);
      return;
    }
    ui.input.value = "";
    sendMessage(text);
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.form.requestSubmit();
    }
  });
  ui.input.addEventListener("input", () => {
    const length = ui.input.value.trim().length;
    showNotice(length > state.maxChars ? `已输入${length}字，超过${state.maxChars}字上限，请精简。` : "");
  });

  const configReady = fetch(`${server}/webchat/config`)
    .then((reply) => (reply.ok ? reply.json() : null))
    .then((config) => {
      if (config && config.max_message_chars) state.maxChars = config.max_message_chars;
      if (config && config.feedback) state.feedback = config.feedback;
      if (config && config.verdict_labels) state.verdictLabels = config.verdict_labels;
    })
    .catch(() => {});
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

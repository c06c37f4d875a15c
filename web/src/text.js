// Safe rendering: every piece of user or bot text becomes DOM text nodes (textContent), never HTML.
// The little Markdown the bot uses (**bold**, "- " lists, line breaks) and 第N条 citations are
// turned into elements built here, so "<img src=x onerror=…>" shows as those characters.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const INLINE = /(\*\*[^*]+\*\*|第\d{1,2}条)/g;

function appendInline(parent, line, onCitation) {
  let last = 0;
  for (const match of line.matchAll(INLINE)) {
    if (match.index > last) parent.appendChild(document.createTextNode(line.slice(last, match.index)));
    const token = match[0];
    if (token.startsWith("**")) {
      parent.appendChild(el("strong", null, token.slice(2, -2)));
    } else if (onCitation) {
      const number = Number(token.slice(1, -1));
      const link = el("button", "wq-cite-link", token);
      link.type = "button";
      link.title = `查看第${number}条原文`;
      link.addEventListener("click", () => onCitation(number));
      parent.appendChild(link);
    } else {
      parent.appendChild(document.createTextNode(token));
    }
    last = match.index + token.length;
  }
  if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
}

// Renders text with light Markdown into a fragment of safe elements.
export function renderText(text, onCitation) {
  const fragment = document.createDocumentFragment();
  let list = null;
  for (const line of String(text ?? "").split("\n")) {
    const item = line.match(/^\s*(?:[-*•]|\d+[.、)])\s+(.*)$/);
    if (item) {
      if (!list) {
        list = el("ul", "wq-list");
        fragment.appendChild(list);
      }
      const li = el("li");
      appendInline(li, item[1], onCitation);
      list.appendChild(li);
      continue;
    }
    list = null;
    const p = el("p", "wq-line");
    if (line.trim() === "") p.classList.add("wq-blank");
    appendInline(p, line, onCitation);
    fragment.appendChild(p);
  }
  return fragment;
}

export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // fall through to the selection-based copy
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch (_) {
    ok = false;
  }
  area.remove();
  return ok;
}

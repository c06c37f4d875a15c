(()=>{function d(e,t,n){let i=document.createElement(e);return t&&(i.className=t),n!=null&&(i.textContent=String(n)),i}var x=`body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 14px; color: #1f2933; background: #f0f2f5; }
.top { display: flex; align-items: center; gap: 16px; background: #1f2933; color: #fff; padding: 10px 20px; }
.top h1 { font-size: 17px; margin: 0; }
.top .hint { opacity: .7; font-size: 12px; flex: 1; }
main { display: grid; grid-template-columns: 320px 1fr; height: calc(100vh - 48px); }
aside { border-right: 1px solid #d9e2ec; overflow-y: auto; background: #fff; padding: 0 10px; }
aside h2, .detail h2 { font-size: 15px; }
.conversations { list-style: none; margin: 0; padding: 0; }
.conversations li { padding: 8px; border-radius: 6px; cursor: pointer; border: 1px solid transparent; margin-bottom: 4px; }
.conversations li:hover { background: #f5f7fa; }
.conversations li.selected { border-color: #1c64b4; background: #eef6ff; }
.conversations .row1 { display: flex; gap: 6px; align-items: center; }
.conversations .sender { font-family: monospace; font-size: 12px; color: #52606d; flex: 1; overflow: hidden; text-overflow: ellipsis; }
.conversations .last { margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.badge { font-size: 11px; border-radius: 8px; padding: 0 6px; background: #e4e7eb; color: #52606d; }
.badge.paused { background: #b3261e; color: #fff; }
.detail { overflow-y: auto; padding: 0 20px 20px; }
.detail-head { display: flex; align-items: center; gap: 10px; }
.state { font-size: 12px; }
.turns { list-style: none; padding: 0; }
.turns li { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 8px 10px; margin-bottom: 6px; }
.turns li.user { border-left: 3px solid #52606d; }
.turns li.bot { border-left: 3px solid #b3261e; }
.turns li.staff { border-left: 3px solid #1c64b4; background: #eef6ff; }
.turns li.system { background: #fff4ce; color: #7a5b00; font-size: 12px; }
.who { font-size: 12px; font-weight: 600; color: #52606d; margin-right: 6px; }
.text { white-space: pre-wrap; }
.nlu { margin-top: 4px; font-size: 12px; color: #52606d; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.nlu .top-intent { font-weight: 600; color: #1f2933; }
.nlu .low { color: #b3261e; }
.cites { margin-top: 4px; font-size: 12px; color: #1c64b4; }
.reply { display: flex; gap: 8px; }
.reply textarea { flex: 1; font: inherit; padding: 6px; }
.muted { color: #7b8794; }
.error { color: #b3261e; }
button { font: inherit; cursor: pointer; }
.feedback { margin-top: 4px; font-size: 12px; font-weight: 600; }
.feedback-useful { color: #0e7c3a; }
.feedback-not_useful { color: #b3261e; }
.review { display: block; height: auto; padding: 0 20px 20px; }
.items { list-style: none; padding: 0; }
.items .item { background: #fff; border: 1px solid #e4e7eb; border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; }
.items .row1 { display: flex; gap: 8px; align-items: center; }
.decision { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.decision .fields { display: flex; flex-wrap: wrap; gap: 6px; }
.result.ok { color: #0e7c3a; } .result.refused, .refused { color: #b3261e; }
.gate { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 10px; margin: 10px 0; }
.gate progress { width: 100%; }
.delivery { background: #fff4e5; border-left: 3px solid #8a4b00; color: #5c3200; padding: 6px 8px; }
.undelivered { color: #b3261e; font-weight: 600; }
`;var y=2e3,o=e=>document.getElementById(e),r={selected:null,paused:!1},m=document.createElement("style");m.textContent=x;document.head.appendChild(m);async function p(e,t={}){let n=await fetch(`/console/api${e}`,{credentials:"same-origin",headers:{"Content-Type":"application/json"},...t});if(n.status===401||n.status===403)throw window.location.reload(),new Error("signed out");let i=await n.json();if(!n.ok)throw new Error(i.error||String(n.status));return i}var g=e=>typeof e=="number"?`${(e*100).toFixed(1)}%`:"\u2013",l=e=>e?new Date(e*1e3).toLocaleTimeString("zh-CN",{hour12:!1}):"";function w(e){let t=o("conversations");t.textContent="",o("empty").hidden=e.length>0;for(let n of e){let i=d("li");i.dataset.sender=n.sender_id,n.sender_id===r.selected&&i.classList.add("selected");let a=d("div","row1");n.paused&&a.appendChild(d("span","badge paused","\u5F85\u4EBA\u5DE5")),a.appendChild(d("span","sender",n.sender_id)),a.appendChild(d("span","badge",(n.channels||[]).join(",")||"\u2013")),a.appendChild(d("span","muted",l(n.last_time))),i.appendChild(a),i.appendChild(d("div","last",n.last_user_text)),n.citations&&n.citations.length&&i.appendChild(d("div","cites",`\u5F15\u7528\uFF1A${n.citations.map(s=>`\u7B2C${s}\u6761`).join("\u3001")}`)),i.addEventListener("click",()=>{r.selected=n.sender_id,f();for(let s of t.children)s.classList.toggle("selected",s===i)}),t.appendChild(i)}}function v(e){let t=d("li",e.from);if(e.from==="system")return t.textContent=e.event==="pause"?`${l(e.time)} \u5DF2\u8F6C\u4EBA\u5DE5\uFF08\u673A\u5668\u4EBA\u6682\u505C\uFF09`:`${l(e.time)} \u5DF2\u4EA4\u8FD8\u673A\u5668\u4EBA`,t;let n={user:"\u7528\u6237",bot:"\u673A\u5668\u4EBA",staff:"\u4EBA\u5DE5\u5BA2\u670D"}[e.from];if(t.appendChild(d("span","who",`${n} ${l(e.time)}`)),t.appendChild(d("div","text",e.text||(e.card_kind?`[\u7B54\u6848\u5361\u7247\uFF1A${e.card_kind}]`:""))),e.from==="user"){let i=d("div","nlu"),a=d("span","top-intent",`\u610F\u56FE ${e.intent||"\u2013"} ${g(e.confidence)}`);typeof e.confidence=="number"&&e.confidence<.5&&a.classList.add("low"),i.appendChild(a);for(let s of(e.ranking||[]).slice(1))i.appendChild(d("span",null,`${s.intent} ${g(s.confidence)}`));for(let s of e.entities||[])i.appendChild(d("span",null,`\u5B9E\u4F53 ${s.entity}=${JSON.stringify(s.value)}`));t.appendChild(i)}if(e.card_kind){let i=e.citations&&e.citations.length?e.citations.map(s=>`\u7B2C${s}\u6761`).join("\u3001"):"\u65E0",a=e.verdict?` \xB7 \u7ED3\u8BBA ${e.verdict}`:"";t.appendChild(d("div","cites",`\u7B54\u6848\u5361\u7247 ${e.card_kind} \xB7 \u5F15\u7528 ${i}${a}`))}if(e.feedback){let i=d("div",`feedback feedback-${e.feedback.rating}`,`\u7528\u6237\u53CD\u9988\uFF1A${e.feedback.label}`);i.appendChild(d("span","muted",` ${e.feedback.channel||""} ${l(e.feedback.time)}`)),t.appendChild(i)}return e.undelivered&&t.appendChild(d("div","undelivered","\u672A\u9001\u8FBE\uFF1A\u7528\u6237\u6CA1\u6709\u6536\u5230\u8FD9\u6761\u56DE\u590D")),e.buttons&&e.buttons.length&&t.appendChild(d("div","cites",`\u6309\u94AE\uFF1A${e.buttons.map(i=>i.title).join(" | ")}`)),t}async function f(){if(!r.selected)return;let e=await p(`/conversations/${encodeURIComponent(r.selected)}`);o("placeholder").hidden=!0,o("conversation").hidden=!1,o("title").textContent=e.sender_id,r.paused=e.paused,o("state").textContent=e.paused?"\u4EBA\u5DE5\u670D\u52A1\u4E2D":"\u673A\u5668\u4EBA\u5E94\u7B54\u4E2D",o("state").className=e.paused?"state badge paused":"state badge",o("takeover").hidden=e.paused,o("resume").hidden=!e.paused,C(e.delivery);let t=o("turns"),n=t.lastElementChild===null||window.innerHeight+window.scrollY>=document.body.scrollHeight-40;t.textContent="";for(let i of e.turns)t.appendChild(v(i));n&&(o("detail").scrollTop=o("detail").scrollHeight)}function C(e){let t=!!(e&&!e.deliverable);o("delivery").hidden=!t,o("delivery").textContent=t?`\u65E0\u6CD5\u56DE\u590D\uFF1A${e.message}`:"",o("reply-text").disabled=t,o("reply").querySelector("button").disabled=t}async function h(){try{let{conversations:e}=await p("/conversations");w(e),await f()}catch(e){c(e)}setTimeout(h,y)}function c(e){o("error").hidden=!e,o("error").textContent=e?`\u51FA\u9519\u4E86\uFF1A${e.message}`:""}async function u(e,t){try{let n=await p(`/conversations/${encodeURIComponent(r.selected)}/${e}`,{method:"POST",body:JSON.stringify(t||{})}),i=n.delivery&&n.delivery.delivered===!1;c(i?new Error(`\u4EA4\u8FD8\u901A\u77E5\u672A\u9001\u8FBE\uFF1A${n.delivery.message}`):null),await f()}catch(n){c(n)}}o("reply").addEventListener("submit",async e=>{e.preventDefault();let t=o("reply-text").value.trim();!t||!r.selected||(o("reply-text").value="",await u("messages",{text:t}))});o("reply-text").addEventListener("keydown",e=>{e.key==="Enter"&&!e.shiftKey&&!e.isComposing&&(e.preventDefault(),o("reply").requestSubmit())});o("takeover").addEventListener("click",()=>u("pause"));o("resume").addEventListener("click",()=>u("resume"));h();})();

(()=>{function a(e,n,t){let i=document.createElement(e);return n&&(i.className=n),t!=null&&(i.textContent=String(t)),i}var x=`body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
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
`;var k=2e3,w=15e3,o=e=>document.getElementById(e),s={selected:null,paused:!1,callback:null},b=document.createElement("style");b.textContent=x;document.head.appendChild(b);async function p(e,n={}){let t=await fetch(`/console/api${e}`,{credentials:"same-origin",headers:{"Content-Type":"application/json"},...n});if(t.status===401||t.status===403)throw window.location.reload(),new Error("signed out");let i=await t.json();if(!t.ok)throw new Error(i.error||String(t.status));return i}var h=e=>typeof e=="number"?`${(e*100).toFixed(1)}%`:"\u2013",c=e=>e?new Date(e*1e3).toLocaleTimeString("zh-CN",{hour12:!1}):"";function C(e){let n=o("conversations");n.textContent="",o("empty").hidden=e.length>0;for(let t of e){let i=a("li");i.dataset.sender=t.sender_id,t.sender_id===s.selected&&i.classList.add("selected");let l=a("div","row1");t.paused&&l.appendChild(a("span","badge paused","\u5F85\u4EBA\u5DE5")),t.callback&&l.appendChild(a("span","badge paused callback","\u5F85\u56DE\u7535")),l.appendChild(a("span","sender",t.sender_id)),l.appendChild(a("span","badge",(t.channels||[]).join(",")||"\u2013")),l.appendChild(a("span","muted",c(t.last_time))),i.appendChild(l),i.appendChild(a("div","last",t.last_user_text)),t.callback&&i.appendChild(a("div","callback-case",`\u56DE\u7535 ${t.callback.phone}\uFF1A${t.callback.question} ${c(t.callback.time)}`)),t.citations&&t.citations.length&&i.appendChild(a("div","cites",`\u5F15\u7528\uFF1A${t.citations.map(d=>`\u7B2C${d}\u6761`).join("\u3001")}`)),i.addEventListener("click",()=>{s.selected=t.sender_id,s.callback=t.callback,u();for(let d of n.children)d.classList.toggle("selected",d===i)}),n.appendChild(i)}}function v(e){let n=a("li",e.from);if(e.from==="system")return n.textContent=e.event==="pause"?`${c(e.time)} \u5DF2\u8F6C\u4EBA\u5DE5\uFF08\u673A\u5668\u4EBA\u6682\u505C\uFF09`:`${c(e.time)} \u5DF2\u4EA4\u8FD8\u673A\u5668\u4EBA`,n;let t={user:"\u7528\u6237",bot:"\u673A\u5668\u4EBA",staff:"\u4EBA\u5DE5\u5BA2\u670D"}[e.from];if(n.appendChild(a("span","who",`${t} ${c(e.time)}`)),n.appendChild(a("div","text",e.text||(e.card_kind?`[\u7B54\u6848\u5361\u7247\uFF1A${e.card_kind}]`:""))),e.from==="user"){let i=a("div","nlu"),l=a("span","top-intent",`\u610F\u56FE ${e.intent||"\u2013"} ${h(e.confidence)}`);typeof e.confidence=="number"&&e.confidence<.5&&l.classList.add("low"),i.appendChild(l);for(let d of(e.ranking||[]).slice(1))i.appendChild(a("span",null,`${d.intent} ${h(d.confidence)}`));for(let d of e.entities||[])i.appendChild(a("span",null,`\u5B9E\u4F53 ${d.entity}=${JSON.stringify(d.value)}`));n.appendChild(i)}if(e.card_kind){let i=e.citations&&e.citations.length?e.citations.map(d=>`\u7B2C${d}\u6761`).join("\u3001"):"\u65E0",l=e.verdict?` \xB7 \u7ED3\u8BBA ${e.verdict}`:"";n.appendChild(a("div","cites",`\u7B54\u6848\u5361\u7247 ${e.card_kind} \xB7 \u5F15\u7528 ${i}${l}`))}if(e.feedback){let i=a("div",`feedback feedback-${e.feedback.rating}`,`\u7528\u6237\u53CD\u9988\uFF1A${e.feedback.label}`);i.appendChild(a("span","muted",` ${e.feedback.channel||""} ${c(e.feedback.time)}`)),n.appendChild(i)}return e.buttons&&e.buttons.length&&n.appendChild(a("div","cites",`\u6309\u94AE\uFF1A${e.buttons.map(i=>i.title).join(" | ")}`)),n}async function u(){if(!s.selected)return;let e=await p(`/conversations/${encodeURIComponent(s.selected)}`);o("placeholder").hidden=!0,o("conversation").hidden=!1,o("title").textContent=e.sender_id,s.paused=e.paused,o("state").textContent=e.paused?"\u4EBA\u5DE5\u670D\u52A1\u4E2D":"\u673A\u5668\u4EBA\u5E94\u7B54\u4E2D",o("state").className=e.paused?"state badge paused":"state badge",o("takeover").hidden=e.paused,o("resume").hidden=!e.paused,o("callback-done").hidden=!s.callback;let n=o("turns"),t=n.lastElementChild===null||window.innerHeight+window.scrollY>=document.body.scrollHeight-40;n.textContent="";for(let i of e.turns)n.appendChild(v(i));t&&(o("detail").scrollTop=o("detail").scrollHeight)}async function m(){try{let{conversations:e}=await p("/conversations"),n=e.find(t=>t.sender_id===s.selected);s.callback=n?n.callback:null,C(e),await u()}catch(e){r(e)}setTimeout(m,k)}function r(e){o("error").hidden=!e,o("error").textContent=e?`\u51FA\u9519\u4E86\uFF1A${e.message}`:""}async function f(e,n){try{await p(`/conversations/${encodeURIComponent(s.selected)}/${e}`,{method:"POST",body:JSON.stringify(n||{})}),r(null),await u()}catch(t){r(t)}}o("reply").addEventListener("submit",async e=>{e.preventDefault();let n=o("reply-text").value.trim();!n||!s.selected||(o("reply-text").value="",await f("messages",{text:n}))});o("reply-text").addEventListener("keydown",e=>{e.key==="Enter"&&!e.shiftKey&&!e.isComposing&&(e.preventDefault(),o("reply").requestSubmit())});o("takeover").addEventListener("click",()=>f("pause"));o("resume").addEventListener("click",()=>f("resume"));o("callback-done").addEventListener("click",async()=>{await f("callback-done"),s.callback=null,o("callback-done").hidden=!0});async function g(){try{let{hotline:e}=await p("/presence",{method:"POST",body:JSON.stringify({on_duty:!0})});o("duty").textContent=e.within_hours?"\u5728\u5C97\uFF1A\u7528\u6237\u8F6C\u4EBA\u5DE5\u5C06\u63A5\u5165\u672C\u63A7\u5236\u53F0":`\u975E\u4EBA\u5DE5\u670D\u52A1\u65F6\u95F4\uFF08${e.hours}\uFF09\uFF1A\u8F6C\u4EBA\u5DE5\u5C06\u63D0\u4F9B\u70ED\u7EBF\u4E0E\u7559\u8A00\u56DE\u7535`}catch(e){r(e)}setTimeout(g,w)}g();m();})();

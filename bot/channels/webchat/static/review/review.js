(()=>{function a(e,t,n){let o=document.createElement(e);return t&&(o.className=t),n!=null&&(o.textContent=String(n)),o}var h=`body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
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
`;var d=e=>document.getElementById(e),$={fallback:"\u7B54\u4E0D\u4E0A",low_score:"\u7F6E\u4FE1\u5EA6\u4F4E",not_useful:"\u88AB\u8BC4\u6CA1\u7528",handoff:"\u8F6C\u4EBA\u5DE5"},_={measure:"\u67D0\u6761\u63AA\u65BD",faq:"\u67D0\u4E2A\u5E38\u89C1\u95EE\u9898",out_of_scope:"\u4E0D\u5728\u672C\u6587\u4EF6\u8303\u56F4",chitchat:"\u95F2\u804A",new_faq:"\u5199\u4E00\u6761\u65B0\u7684\u5E38\u89C1\u95EE\u9898"},b={options:null},w=document.createElement("style");w.textContent=h;document.head.appendChild(w);async function f(e,t={}){let n=await fetch(`/review/api${e}`,{credentials:"same-origin",headers:{"Content-Type":"application/json"},...t});if(n.status===401)throw window.location.reload(),new Error("signed out");let o=await n.json();if(!n.ok){let i=new Error(o.problems?o.problems.join("\uFF1B"):o.error||String(n.status));throw i.problems=o.problems,i}return o}var g=e=>typeof e=="number"?`${(e*100).toFixed(1)}%`:"\u2013";function u(e,t){let n=a("select");n.name=t;for(let[o,i]of e){let c=a("option",null,i);c.value=o,n.appendChild(c)}return n}function q(e){let t=a("form","decision"),n=u(Object.entries(_),"kind"),o=a("span","fields"),i=a("span","result"),c=()=>{o.textContent="";let p=b.options;if(n.value==="measure")o.append(u(p.measures.map(r=>[r.key,`\u7B2C${r.number}\u6761 ${r.title}`]),"measure"),u([["","\uFF08\u4E0D\u9650\u65B9\u9762\uFF09"],...p.aspects.map(r=>[r.key,r.label])],"aspect"));else if(n.value==="faq")o.append(u(p.faqs.map(r=>[r.key,r.question]),"faq"));else if(n.value==="chitchat")o.append(u(p.chitchat.map(r=>[r,r]),"intent"));else if(n.value==="new_faq"){let r=a("input");r.name="key",r.placeholder="key\uFF08\u5982 issue_office\uFF09";let l=a("textarea");l.name="questions",l.rows=3,l.value=e.text,l.placeholder="\u95EE\u6CD5\uFF0C\u6BCF\u884C\u4E00\u4E2A\uFF08\u81F3\u5C113\u4E2A\uFF0C\u542B\u7528\u6237\u539F\u8BDD\uFF09";let s=a("textarea");s.name="answer",s.rows=2,s.placeholder="\u56DE\u7B54\uFF08\u53EA\u7528\u6587\u4EF6\u91CC\u7684\u5185\u5BB9\uFF0C\u5F15\u7528\u65F6\u5199\u7B2CN\u6761\uFF09";let m=a("input");m.name="citations",m.placeholder="\u5F15\u7528\u7684\u6761\u6B3E\u53F7\uFF0C\u7A7A\u683C\u5206\u9694",o.append(r,l,s,m)}};n.addEventListener("change",c),c();let x=a("button",null,"\u786E\u8BA4");return x.type="submit",t.append(a("span",null,"\u8FD9\u53E5\u8BDD\u95EE\u7684\u662F\uFF1A"),n,o,x,i),t.addEventListener("submit",async p=>{p.preventDefault();let r=new FormData(t),l={text:e.text,kind:n.value};for(let s of["measure","faq","intent"])r.get(s)&&(l[s]=r.get(s));r.get("aspect")&&(l.aspect=r.get("aspect")),n.value==="new_faq"&&(l.entry={key:r.get("key"),questions:String(r.get("questions")).split(`
`).map(s=>s.trim()).filter(Boolean),answer:r.get("answer"),citations:String(r.get("citations")||"").split(/\s+/).filter(Boolean).map(Number)});try{let{written:s}=await f("/decisions",{method:"POST",body:JSON.stringify(l)});i.className="result ok",i.textContent=`\u5DF2\u5199\u5165 ${s.file}\uFF08${s.intent}\uFF09\uFF0C\u91CD\u65B0\u8BAD\u7EC3\u540E\u751F\u6548`,x.disabled=!0}catch(s){i.className="result refused",i.textContent=`\u672A\u5199\u5165\uFF1A${s.message}`}}),t}function S(e){let t=a("li","item"),n=a("div","row1");n.appendChild(a("strong",null,e.text)),n.appendChild(a("span","badge",`\xD7${e.count}`));for(let[i,c]of Object.entries(e.reasons))n.appendChild(a("span","badge paused",`${$[i]||i} ${c}`));t.appendChild(n),e.wordings.length>1&&t.appendChild(a("div","muted",`\u76F8\u8FD1\u8BF4\u6CD5\uFF1A${e.wordings.map(([i,c])=>`${i}\uFF08${c}\uFF09`).join("\uFF1B")}`));let o=e.latest;t.appendChild(a("div","nlu",`\u8BC6\u522B\uFF1A${(o.ranking||[]).map(i=>`${i.intent} ${g(i.confidence)}`).join("\uFF0C")||"\u2013"}`)),t.appendChild(a("div","text answer",`\u673A\u5668\u4EBA\u56DE\u7B54\uFF08${o.card_kind||"\u65E0\u5361\u7247"}${o.citations.length?" \xB7 \u7B2C"+o.citations.join("\u3001")+"\u6761":""}\uFF09\uFF1A${o.answer||"\u2013"}`));for(let i of e.feedback)t.appendChild(a("div","feedback feedback-not_useful",`\u7528\u6237\u53CD\u9988\uFF1A${i}`));return t.appendChild(q(e)),t}async function N(){let{items:e,maintainer:t}=await f("/inbox");d("who").textContent=`\u5DF2\u767B\u5F55\uFF1A${t}`,d("empty").hidden=e.length>0,d("items").textContent="";for(let n of e)d("items").appendChild(S(n))}function z(e){let t=d("gate");t.hidden=e.state==="idle",t.textContent="";let n={training:"\u8BAD\u7EC3\u4E2D",scoring:"\u68C0\u9A8C\u4E2D",switching:"\u5207\u6362\u4E2D",passed:"\u68C0\u9A8C\u901A\u8FC7",switched:"\u5DF2\u5207\u6362\u5230\u65B0\u6A21\u578B",refused:"\u672A\u901A\u8FC7\uFF1A\u65E7\u6A21\u578B\u7EE7\u7EED\u670D\u52A1",failed:"\u5931\u8D25"};t.appendChild(a("div",`gate-state gate-${e.state}`,`${n[e.state]||e.state} ${Math.round((e.progress||0)*100)}% \xB7 ${e.step||""}`));let o=a("progress");o.max=1,o.value=e.progress||0,t.appendChild(o);for(let i of e.fell||[])t.appendChild(a("div","refused",`\u4E0B\u964D\uFF1A${i.name} ${g(i.measured)} < ${g(i.floor)}\uFF08${i.against}\uFF09`));e.serving_now&&t.appendChild(a("div","muted",`\u5F53\u524D\u670D\u52A1\u6A21\u578B\uFF1A${e.serving_now}`)),d("retrain").disabled=!!e.running}async function y(){let e=await f("/retrain");return z(e),e}async function v(){let{switches:e}=await f("/switches");d("switches").textContent="";for(let t of e.slice().reverse()){let n=Object.entries(t.scores||{}).map(([o,i])=>`${o} ${g(i.clause_accuracy)}/${g(i.out_of_scope_rejection)}`).join("\uFF0C");d("switches").appendChild(a("li",null,`${new Date(t.at*1e3).toLocaleString("zh-CN")} ${t.by}\uFF1A${t.replaced||"\u2013"} \u2192 ${t.model}\uFF08${n}\uFF09`))}}async function k(){try{let e=await y();["switched","refused","failed"].includes(e.state)&&await v()}catch(e){d("error").hidden=!1,d("error").textContent=e.message}setTimeout(k,3e3)}d("retrain").addEventListener("click",async()=>{try{await f("/retrain",{method:"POST",body:"{}"}),await y()}catch(e){d("error").hidden=!1,d("error").textContent=e.message}});(async()=>{try{b.options=await f("/options"),await N(),await v()}catch(e){d("error").hidden=!1,d("error").textContent=e.message}k()})();})();

// Builds the web chat widget and the staff console into ../bot/channels/webchat/static/ (served by the Rasa server).
// Run by scripts/build-web.sh (make run / make test) when web/ changed; by hand: npm ci && npm run build.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../bot/channels/webchat/static/", import.meta.url).pathname;
mkdirSync(`${out}webchat`, { recursive: true });
mkdirSync(`${out}console`, { recursive: true });
mkdirSync(`${out}review`, { recursive: true });
mkdirSync(`${out}staff`, { recursive: true });
mkdirSync(`${out}test-only`, { recursive: true });

const common = { bundle: true, minify: true, format: "iife", target: ["es2020"], loader: { ".css": "text" }, legalComments: "none" };
await build({ ...common, entryPoints: ["src/widget.js"], outfile: `${out}webchat/widget.js` });
await build({ ...common, entryPoints: ["src/console.js"], outfile: `${out}console/console.js` });
await build({ ...common, entryPoints: ["src/review.js"], outfile: `${out}review/review.js` });
copyFileSync("src/index.html", `${out}webchat/index.html`);
copyFileSync("src/console.html", `${out}console/index.html`);
copyFileSync("src/review.html", `${out}review/index.html`);
copyFileSync("src/staff.css", `${out}staff/staff.css`); // linked by the console and the review inbox
// axe-core (devDependency, pinned by the lock file) for the accessibility checks of the browser tests;
// committed with the build so that `make test` on a fresh clone has it without npm. Never served.
copyFileSync("node_modules/axe-core/axe.min.js", `${out}test-only/axe.min.js`);
console.log(`built the web chat and the staff console into ${out}`);

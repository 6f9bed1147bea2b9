// Measures the client-side search on a built site: index size, time to load and prepare the
// index, and time to the first results for a few queries (median of repeated runs), using the
// theme's own search.js under Node.
//
//   node bench/search.js PUBLIC_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const { prepare, search } = require("../themes/default/static/search.js");

const dir = process.argv[2] || "public";
const file = path.join(dir, "search-index.json");
const bytes = fs.statSync(file).size;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f) => { const t = process.hrtime.bigint(); const r = f(); return [Number(process.hrtime.bigint() - t) / 1e6, r]; };

const loads = [];
let prepared;
for (let i = 0; i < 5; i++) {
  const [ms, p] = time(() => prepare(JSON.parse(fs.readFileSync(file, "utf8"))));
  loads.push(ms);
  prepared = p;
}
console.log(`index: ${prepared.items.length} incidents, ${(bytes / 1024).toFixed(0)} KiB`);
console.log(`parse + prepare: ${median(loads).toFixed(1)} ms (median of 5)`);
for (const [query, filters] of [["phishing", {}], ["lakeside university", {}], ["ransomware", { severity: "high" }], ["T1566", {}]]) {
  const runs = [];
  let found = 0;
  for (let i = 0; i < 7; i++) {
    const [ms, results] = time(() => search(prepared, query, filters));
    runs.push(ms);
    found = results.length;
  }
  console.log(`"${query}" ${JSON.stringify(filters)}: ${found} results in ${median(runs).toFixed(1)} ms (median of 7)`);
}

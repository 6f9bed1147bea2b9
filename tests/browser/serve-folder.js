// A static file server for a built site, on a free port of 127.0.0.1, for the browser scripts
// here: folders serve their index.html, nothing outside the folder is served.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
};

// Starts serving `root`; resolves to the server and its base URL.
async function serveFolder(root) {
  const top = path.resolve(root);
  const server = http.createServer((req, res) => {
    let file = path.resolve(top, "." + decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (file !== top && !file.startsWith(top + path.sep)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end("not found"); return; }
      res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" }).end(data);
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

module.exports = { serveFolder };

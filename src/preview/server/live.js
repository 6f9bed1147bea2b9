// Live reload for `casebook serve`, injected into every HTML page by the preview server (never
// written to the built site). It follows the server's event stream: a rebuild reloads the page,
// a stylesheet-only change swaps stylesheets in place, and a failed rebuild shows the error on
// top of the last good page until the next successful one (`clear` when that one changed no
// file, the fix having brought back the last good text: the page shown is current).
(function () {
  "use strict";

  const script = document.currentScript;
  // The build this page was served from; a different one on (re)connecting means it is stale.
  const build = script ? script.getAttribute("data-build") : null;
  const OVERLAY_ID = "casebook-error-overlay";
  const RELOAD_PARAM = "casebook-reload";

  function data(event) {
    try {
      return JSON.parse(event.data) || {};
    } catch (e) {
      return {};
    }
  }

  // Inline and !important, so no stylesheet of the site can hide or restyle the overlay.
  function style(element, properties) {
    for (const name of Object.keys(properties)) {
      element.style.setProperty(name, properties[name], "important");
    }
  }

  function removeOverlay() {
    const overlay = document.getElementById(OVERLAY_ID);
    if (overlay) {
      overlay.remove();
    }
  }

  function showOverlay(message) {
    let overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alert");
      style(overlay, {
        display: "block",
        visibility: "visible",
        opacity: "1",
        position: "fixed",
        top: "0",
        left: "0",
        right: "0",
        width: "auto",
        "max-height": "60vh",
        overflow: "auto",
        "z-index": "2147483647",
        margin: "0",
        padding: "12px 16px",
        "box-sizing": "border-box",
        background: "#fff4f4",
        color: "#1b1b1b",
        border: "0",
        "border-bottom": "4px solid #8b0000",
        "border-top": "4px solid #8b0000",
        "box-shadow": "0 4px 16px rgba(0, 0, 0, 0.35)",
        font: "15px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif",
        "text-align": "left",
        transform: "none",
      });

      const title = document.createElement("strong");
      title.textContent = "casebook: the site could not be rebuilt; this page is from the last good build.";
      style(title, { display: "block", margin: "0 40px 8px 0", color: "#8b0000", font: "inherit", "font-weight": "bold" });

      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Dismiss the build error");
      close.addEventListener("click", removeOverlay);
      style(close, {
        position: "absolute",
        top: "8px",
        right: "12px",
        margin: "0",
        padding: "0 8px",
        background: "transparent",
        color: "#8b0000",
        border: "1px solid #8b0000",
        "border-radius": "4px",
        font: "20px/1.2 system-ui, sans-serif",
        cursor: "pointer",
      });

      const pre = document.createElement("pre");
      style(pre, {
        display: "block",
        margin: "0",
        padding: "0",
        background: "transparent",
        color: "#1b1b1b",
        border: "0",
        "white-space": "pre-wrap",
        "overflow-wrap": "anywhere",
        font: "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      });

      overlay.append(title, close, pre);
      (document.body || document.documentElement).appendChild(overlay);
    }
    overlay.querySelector("pre").textContent = message;
  }

  function reloadStylesheets() {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      if (!link.href) {
        continue;
      }
      const url = new URL(link.href, location.href);
      // Another site's stylesheets did not change with this build.
      if (url.origin !== location.origin) {
        continue;
      }
      // A new query makes the browser fetch the file again instead of reusing its copy.
      url.searchParams.set(RELOAD_PARAM, String(Date.now()));
      link.href = url.href;
    }
  }

  function connect() {
    const source = new EventSource("/__casebook/events");
    source.addEventListener("hello", function (event) {
      // The server restarted or rebuilt while this tab was not listening.
      const current = data(event).build;
      if (build && current && current !== build) {
        location.reload();
      }
    });
    source.addEventListener("reload", function () {
      location.reload();
    });
    source.addEventListener("css", function () {
      reloadStylesheets();
      removeOverlay();
    });
    source.addEventListener("clear", removeOverlay);
    source.addEventListener("error", function (event) {
      // A connection failure is also an `error` event, without data: only build errors have it.
      if (typeof event.data === "string") {
        showOverlay(String(data(event).message || event.data));
      } else if (source.readyState === EventSource.CLOSED) {
        // EventSource gives up for good on some failures (such as a response that is not an
        // event stream while the server restarts); start over so the tab never stays stuck.
        source.close();
        setTimeout(connect, 1000);
      }
    });
  }

  connect();
})();

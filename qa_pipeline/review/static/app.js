// Review workspace: audio seek from the transcript, evidence highlighting, clickable rows.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    // Whole table rows open their link (the first link in the row stays the keyboard path).
    document.querySelectorAll("tr[data-href]").forEach(function (tr) {
      tr.addEventListener("click", function (ev) {
        if (ev.target.closest("a, button, input, select, textarea, label")) return;
        window.location.href = tr.getAttribute("data-href");
      });
    });
    // Toasts: dismiss on click; confirmations fade after a while, errors stay.
    document.querySelectorAll(".toasts .flash").forEach(function (el) {
      var close = function () { el.classList.add("hide"); setTimeout(function () { el.remove(); }, 450); };
      var btn = el.querySelector(".toast-close");
      if (btn) btn.addEventListener("click", close);
      if (el.classList.contains("flash-ok")) setTimeout(close, 12000);
    });
    document.querySelectorAll("select.js-autosubmit").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });

    var player = document.getElementById("player");
    var utts = Array.prototype.slice.call(document.querySelectorAll(".utt"));

    function seek(seconds, play) {
      if (!player) return;
      var t = Math.max(0, seconds);
      var apply = function () {
        player.currentTime = t;
        if (play) {
          var p = player.play();
          if (p && p.catch) p.catch(function () {});
        }
      };
      if (player.readyState >= 1) apply();
      else player.addEventListener("loadedmetadata", apply, { once: true });
    }

    utts.forEach(function (li) {
      var start = parseFloat(li.getAttribute("data-start"));
      li.addEventListener("click", function (ev) {
        if (ev.target.closest("a, button, input, select, textarea")) return;
        seek(start, true);
      });
      li.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); seek(start, true); }
      });
    });

    if (player) {
      var current = null;
      player.addEventListener("timeupdate", function () {
        var t = player.currentTime, found = null;
        for (var i = 0; i < utts.length; i++) {
          var s = parseFloat(utts[i].getAttribute("data-start")), e = parseFloat(utts[i].getAttribute("data-end"));
          if (t >= s && t < e) { found = utts[i]; break; }
        }
        if (found !== current) {
          if (current) current.classList.remove("playing");
          if (found) found.classList.add("playing");
          current = found;
        }
      });
    }

    // Criterion → highlight its evidence in the transcript.
    function highlight(crit, scroll) {
      document.querySelectorAll(".utt.hl").forEach(function (u) { u.classList.remove("hl"); });
      document.querySelectorAll(".crit.selected").forEach(function (c) {
        c.classList.remove("selected");
        var b = c.querySelector(".crit-head"); if (b) b.setAttribute("aria-expanded", "false");
      });
      if (!crit) return;
      crit.classList.add("selected");
      var head = crit.querySelector(".crit-head"); if (head) head.setAttribute("aria-expanded", "true");
      var ids = (crit.getAttribute("data-evidence") || "").split(" ").filter(Boolean);
      var first = null;
      ids.forEach(function (i) {
        var u = document.getElementById("u-" + i);
        if (u) { u.classList.add("hl"); if (!first) first = u; }
      });
      if (first && scroll) first.scrollIntoView({ block: "center", behavior: "smooth" });
    }

    document.querySelectorAll(".crit-head").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var crit = btn.closest(".crit");
        highlight(crit.classList.contains("selected") ? null : crit, true);
      });
    });
    document.querySelectorAll(".ev-jump").forEach(function (btn) {
      btn.addEventListener("click", function () {
        highlight(btn.closest(".crit"), false);
        var u = document.getElementById("u-" + btn.getAttribute("data-idx"));
        if (u) {
          u.scrollIntoView({ block: "center", behavior: "smooth" });
          seek(parseFloat(u.getAttribute("data-start")), true);
        }
      });
    });

    // A comment pinned to a moment of the call plays from there.
    document.querySelectorAll(".comment .seek").forEach(function (btn) {
      btn.addEventListener("click", function () { seek(parseFloat(btn.getAttribute("data-t")), true); });
    });

    // After an override the page comes back at #crit-…: select it and show its evidence.
    if (window.location.hash.indexOf("#crit-") === 0) {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      if (target) highlight(target, false);
    }
  });
})();

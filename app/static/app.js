/* Marshrut: the page script, served at /static/app.js.
 *
 * Progressive enhancement of the diagnostic question page; every page works
 * without it (native forms and links). Plain ES5, no libraries, event
 * delegation, and it does nothing on pages without its hooks:
 *
 *  - autosave: a change in form[data-autosave] sends the answer as JSON,
 *    PUT data-save-url {"response": ...}, with the X-CSRF-Token header taken
 *    from <meta name="csrf-token">; the result is shown in [data-save-status].
 *    The normal form submission is never blocked.
 *  - countdown: every [data-deadline] element shows the time left each
 *    second; at zero it says «Время вышло» and reloads after 5 seconds.
 */
(function () {
  "use strict";

  var SAVED = "Сохранено";
  var FAILED = "Не удалось сохранить — ответ будет сохранён при переходе";
  var CLOSED = "Диагностика уже завершена или время вышло — обновите страницу";
  var INCOMPLETE = "Расставьте все варианты по разным местам — тогда ответ сохранится";
  var TIME_UP = "Время вышло";
  /* Text inputs save after a pause in typing, not on every key. */
  var TYPING_PAUSE_MS = 1500;
  var RELOAD_AFTER_MS = 5000;

  var canSave = typeof window.fetch === "function" && typeof window.Promise === "function";

  /* ---- autosave --------------------------------------------------------- */

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function autosaveForm(node) {
    while (node && node.nodeType === 1) {
      if (node.tagName === "FORM") {
        return node.hasAttribute("data-autosave") ? node : null;
      }
      node = node.parentNode;
    }
    return null;
  }

  function fields(form, test) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.name && test(el)) {
        out.push(el);
      }
    }
    return out;
  }

  function named(form, name) {
    return fields(form, function (el) {
      return el.name === name;
    });
  }

  function prefixed(form, prefix) {
    return fields(form, function (el) {
      return el.tagName === "SELECT" && el.name.indexOf(prefix) === 0;
    });
  }

  function suffix(el, prefix) {
    return parseInt(el.name.slice(prefix.length), 10);
  }

  /* A decimal as JSON: a number when it fits a double exactly enough (up to
   * 15 significant digits), otherwise the text (the server parses it). */
  function numeric(text) {
    var t = text.replace(/^\s+|\s+$/g, "");
    if (t === "") {
      return null;
    }
    var n = t.replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(n)) {
      var digits = n.replace(/[eE].*$/, "").replace(/[^0-9]/g, "").replace(/^0+/, "");
      var value = parseFloat(n);
      if (isFinite(value) && digits.length <= 15) {
        return value;
      }
    }
    return t;
  }

  /* The response the form holds, shaped as assessment-bank.md says; null
   * when nothing is filled in; undefined when it cannot be sent yet. */
  function response(form) {
    var kind = form.getAttribute("data-kind");
    var i;
    if (kind === "single") {
      var radios = named(form, "choice");
      for (i = 0; i < radios.length; i++) {
        if (radios[i].checked) {
          return parseInt(radios[i].value, 10);
        }
      }
      return null;
    }
    if (kind === "multiple") {
      var ticked = [];
      var boxes = named(form, "choice");
      for (i = 0; i < boxes.length; i++) {
        if (boxes[i].checked) {
          ticked.push(parseInt(boxes[i].value, 10));
        }
      }
      return ticked.length ? ticked : null;
    }
    if (kind === "matching") {
      var pairs = [];
      var matches = prefixed(form, "match_");
      for (i = 0; i < matches.length; i++) {
        if (matches[i].value !== "") {
          pairs.push([suffix(matches[i], "match_"), parseInt(matches[i].value, 10)]);
        }
      }
      return pairs.length ? pairs : null;
    }
    if (kind === "ordering") {
      var places = prefixed(form, "pos_");
      var placed = [];
      var taken = {};
      for (i = 0; i < places.length; i++) {
        if (places[i].value !== "") {
          var place = parseInt(places[i].value, 10);
          if (taken[place]) {
            return undefined;
          }
          taken[place] = true;
          placed.push({ option: suffix(places[i], "pos_"), place: place });
        }
      }
      if (placed.length === 0) {
        return null;
      }
      if (placed.length !== places.length) {
        return undefined;
      }
      placed.sort(function (a, b) {
        return a.place - b.place;
      });
      var order = [];
      for (i = 0; i < placed.length; i++) {
        order.push(placed[i].option);
      }
      return order;
    }
    if (kind === "numeric") {
      var number = named(form, "number")[0];
      return number ? numeric(number.value) : null;
    }
    if (kind === "text") {
      var text = named(form, "text")[0];
      return text && text.value.replace(/\s+/g, "") !== "" ? text.value : null;
    }
    return undefined;
  }

  function showStatus(form, message) {
    var status = form.querySelector("[data-save-status]");
    if (status && status.textContent !== message) {
      status.textContent = message;
    }
  }

  /* Saves run one after another per form, each sending what the form holds
   * when its turn comes, so an older answer never overwrites a newer one. */
  function save(form) {
    if (!canSave) {
      return;
    }
    clearTimeout(form.marshrutTimer);
    form.marshrutTimer = null;
    var queue = form.marshrutQueue || Promise.resolve();
    form.marshrutQueue = queue.then(function () {
      return send(form);
    });
  }

  function send(form) {
    var value = response(form);
    if (value === undefined) {
      if (form.getAttribute("data-kind") === "ordering") {
        showStatus(form, INCOMPLETE);
      }
      return null;
    }
    var body = JSON.stringify({ response: value });
    if (body === form.marshrutSaved) {
      return null;
    }
    return window
      .fetch(form.getAttribute("data-save-url"), {
        method: "PUT",
        credentials: "same-origin",
        keepalive: true,
        headers: {
          "Content-Type": "application/json",
          "X-CSRF-Token": csrfToken()
        },
        body: body
      })
      .then(
        function (reply) {
          if (reply.ok) {
            form.marshrutSaved = body;
            showStatus(form, SAVED);
          } else if (reply.status === 409) {
            showStatus(form, CLOSED);
          } else if (reply.status === 400 || reply.status === 422) {
            /* The answer itself is wrong (e.g. not a number): say why. */
            return reply.json().then(
              function (data) {
                var message = data && data.error && data.error.message;
                showStatus(form, message || FAILED);
              },
              function () {
                showStatus(form, FAILED);
              }
            );
          } else {
            showStatus(form, FAILED);
          }
        },
        function () {
          showStatus(form, FAILED);
        }
      );
  }

  function isTyped(el) {
    return el.tagName === "INPUT" && (el.type === "text" || el.type === "number");
  }

  document.addEventListener("change", function (event) {
    var form = autosaveForm(event.target);
    if (form) {
      save(form);
    }
  });

  document.addEventListener("input", function (event) {
    var form = autosaveForm(event.target);
    if (form && canSave && isTyped(event.target)) {
      clearTimeout(form.marshrutTimer);
      form.marshrutTimer = setTimeout(function () {
        save(form);
      }, TYPING_PAUSE_MS);
    }
  });

  /* Send what is still waiting for a typing pause before the page goes. */
  function flush() {
    var forms = document.querySelectorAll("form[data-autosave]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].marshrutTimer) {
        save(forms[i]);
      }
    }
  }

  /* A native submission carries the answer itself: drop pending saves. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-autosave")) {
      clearTimeout(form.marshrutTimer);
      form.marshrutTimer = null;
    }
  });

  document.addEventListener("click", function (event) {
    var node = event.target;
    while (node && node.nodeType === 1) {
      if (node.tagName === "A") {
        flush();
        return;
      }
      node = node.parentNode;
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });

  /* ---- countdown ------------------------------------------------------- */

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function clock(secs) {
    var h = Math.floor(secs / 3600);
    var m = Math.floor((secs % 3600) / 60);
    var s = secs % 60;
    return h + ":" + pad(m) + ":" + pad(s);
  }

  function startCountdown() {
    var nodes = document.querySelectorAll("[data-deadline]");
    if (!nodes.length) {
      return;
    }
    var loadedAt = Date.now();
    var timers = [];
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      /* The seconds left as the server counted them: the teacher's clock
       * may be wrong; the deadline itself is the fallback. */
      var remaining = parseInt(node.getAttribute("data-remaining"), 10);
      var end = isNaN(remaining)
        ? Date.parse(node.getAttribute("data-deadline"))
        : loadedAt + remaining * 1000;
      if (!isNaN(end)) {
        timers.push({ node: node, end: end });
      }
    }
    if (!timers.length) {
      return;
    }
    var reloading = false;
    var interval;

    function tick() {
      var now = Date.now();
      var running = false;
      for (var i = 0; i < timers.length; i++) {
        var t = timers[i];
        var left = Math.ceil((t.end - now) / 1000);
        if (left > 0) {
          running = true;
          t.node.textContent = "Осталось " + clock(left);
          var box = t.node.parentNode;
          if (left < 300 && box && box.classList) {
            box.classList.add("timer--low");
          }
        } else {
          t.node.textContent = TIME_UP;
          if (!reloading) {
            reloading = true;
            flush();
            var href = t.node.getAttribute("data-timeout-href");
            setTimeout(function () {
              if (href) {
                window.location.assign(href);
              } else {
                window.location.reload();
              }
            }, RELOAD_AFTER_MS);
          }
        }
      }
      if (!running) {
        clearInterval(interval);
      }
    }

    tick();
    interval = setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startCountdown);
  } else {
    startCountdown();
  }
})();

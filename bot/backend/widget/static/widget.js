/*
 * Voordeur chat widget: a resident's chat with the wijkteam assistant (Rasa, socket.io channel).
 *
 * Embed with one script tag; the widget loads widget.css and socket.io.min.js next to itself:
 *   <script src="https://example.org/widget/widget.js" data-rasa-url="https://rasa.example.org" defer></script>
 *
 * Data attributes: data-rasa-url (required), data-socket-path (default "/socket.io/"),
 * data-title (default "Chat met het wijkteam"), data-gemeente (the municipality's slug, e.g. "heideveen":
 * each municipality's website embeds the same widget; sent with every message as metadata, the
 * assistant sets the resident's municipality from it at session start; without it the assistant asks
 * when it needs to know).
 *
 * Safety: message content is only ever put in the page with textContent and DOM-built <a> elements,
 * never with innerHTML.
 */
(function () {
  "use strict";

  var script = document.currentScript || document.querySelector("script[src*='widget.js'][data-rasa-url]");
  if (!script || window.__voordeurWidget) {
    return;
  }
  window.__voordeurWidget = true;

  var BASE = new URL(".", script.src).href;
  var RASA_URL = script.getAttribute("data-rasa-url") || window.location.origin;
  var SOCKET_PATH = script.getAttribute("data-socket-path") || "/socket.io/";
  var TITLE = script.getAttribute("data-title") || "Chat met het wijkteam";
  var GEMEENTE = (script.getAttribute("data-gemeente") || "").trim().toLowerCase();
  // "Verder op Telegram" (issue 24): the bot answers with a one-time deep link; data-telegram="off" hides it.
  var TELEGRAM = (script.getAttribute("data-telegram") || "").trim().toLowerCase() !== "off";
  var METADATA = /^[a-z0-9][a-z0-9-]{0,62}$/.test(GEMEENTE) ? { gemeente: GEMEENTE } : {};
  var KEY = "voordeur-widget:";
  var MAX_HISTORY = 200;
  var TYPING_TIMEOUT_MS = 30000;

  var TEXT = {
    launcher: TITLE,
    launcherOpen: "Sluit chat",
    close: "Sluiten",
    clear: "Gesprek wissen",
    clearQuestion: "Wil je het gesprek wissen? Je ziet de berichten dan niet meer. " +
      "Een afspraak die je hebt gemaakt blijft staan. Bewaar je afspraakcode.",
    clearYes: "Ja, wissen",
    clearNo: "Nee, terug",
    input: "Typ je bericht",
    send: "Versturen",
    log: "Berichten",
    typing: "De assistent typt…",
    offline: "De assistent is nu niet bereikbaar. We proberen het opnieuw...",
    botPrefix: "Assistent: ",
    staffPrefix: "Medewerker: ",
    userPrefix: "Jij: ",
    newWindow: " (opent in een nieuw venster)",
    choices: "Kies een antwoord",
    telegram: "Verder op Telegram",
    telegramPayload: "/continue_on_telegram"
  };

  // ---- storage (a blocked or full storage must never break the chat) ----

  function load(name, fallback, store) {
    try {
      var value = (store || window.localStorage).getItem(KEY + name);
      return value === null ? fallback : JSON.parse(value);
    } catch (error) {
      return fallback;
    }
  }

  function save(name, value, store) {
    try {
      (store || window.localStorage).setItem(KEY + name, JSON.stringify(value));
    } catch (error) { /* private mode or quota: the chat still works, only without history */ }
  }

  function forget(name) {
    try {
      window.localStorage.removeItem(KEY + name);
    } catch (error) { /* see save() */ }
  }

  /** Open or closed is kept per browser tab only: a resident coming back days later sees a closed chat. */
  function rememberOpen(isOpen) {
    try {
      save("open", isOpen, window.sessionStorage);
    } catch (error) { /* sessionStorage itself may be blocked */ }
  }

  function wasOpen() {
    try {
      return load("open", false, window.sessionStorage) === true;
    } catch (error) {
      return false;
    }
  }

  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var sessionId = load("session", null);
  // Two municipalities' pages on one site (the demo pages): a page of another municipality than the
  // one the stored conversation started on starts its own conversation.
  var startedFor = load("gemeente", null);
  if (sessionId && startedFor !== null && startedFor !== (METADATA.gemeente || "")) {
    sessionId = null;
  }
  if (!sessionId) {
    sessionId = newSessionId();
    save("session", sessionId);
  }
  save("gemeente", METADATA.gemeente || "");
  var history = load("history:" + sessionId, []);

  // ---- DOM helpers ----

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  var LINK = /(https?:\/\/[^\s<>"']+|www\.[^\s<>"']+)/gi;
  var TRAILING = /[.,;:!?)\]]+$/;

  /** Append text to `parent`, with http(s) and www. addresses as links; everything else stays text. */
  function appendWithLinks(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, _group, offset) {
      var url = match.replace(TRAILING, "");
      if (offset > last) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
      }
      var href = /^www\./i.test(url) ? "https://" + url : url;
      var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, url);
      link.appendChild(el("span", { "class": "vd-sr-only" }, TEXT.newWindow));
      parent.appendChild(link);
      last = offset + url.length;
      return match;
    });
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  // ---- the widget's elements ----

  var root = el("aside", { "class": "vd-widget", "aria-label": TITLE });
  var launcher = el("button", {
    type: "button", "class": "vd-launcher", "aria-haspopup": "dialog", "aria-expanded": "false",
    "aria-controls": "vd-dialog"
  }, TEXT.launcher);
  var dialog = el("div", { id: "vd-dialog", "class": "vd-dialog", role: "dialog", "aria-label": TITLE });
  dialog.hidden = true;

  var header = el("div", { "class": "vd-header" });
  var heading = el("h2", { "class": "vd-title" }, TITLE);
  var clearButton = el("button", { type: "button", "class": "vd-clear" }, TEXT.clear);
  var closeButton = el("button", { type: "button", "class": "vd-close" }, TEXT.close);
  header.appendChild(heading);
  header.appendChild(clearButton);
  header.appendChild(closeButton);

  var status = el("p", { "class": "vd-status", role: "status", "aria-live": "polite" });
  var log = el("div", { "class": "vd-log", role: "log", "aria-live": "polite", "aria-label": TEXT.log, tabindex: "0" });
  var typing = el("p", { "class": "vd-typing" });
  typing.appendChild(el("span", {}, TEXT.typing));
  typing.hidden = true;

  var form = el("form", { "class": "vd-form", novalidate: "" });
  var label = el("label", { "for": "vd-input", "class": "vd-label" }, TEXT.input);
  var row = el("div", { "class": "vd-row" });
  var input = el("input", { id: "vd-input", "class": "vd-input", type: "text", autocomplete: "off", maxlength: "1000" });
  var sendButton = el("button", { type: "submit", "class": "vd-send" }, TEXT.send);
  row.appendChild(input);
  row.appendChild(sendButton);
  form.appendChild(label);
  form.appendChild(row);
  var telegramButton = el("button", { type: "button", "class": "vd-telegram" }, TEXT.telegram);
  if (TELEGRAM) {
    form.appendChild(telegramButton);
  }

  var confirmBox = el("div", { "class": "vd-confirm", role: "group", "aria-labelledby": "vd-confirm-text" });
  confirmBox.appendChild(el("p", { id: "vd-confirm-text", "class": "vd-confirm-text" }, TEXT.clearQuestion));
  var confirmYes = el("button", { type: "button", "class": "vd-confirm-yes" }, TEXT.clearYes);
  var confirmNo = el("button", { type: "button", "class": "vd-confirm-no" }, TEXT.clearNo);
  confirmBox.appendChild(confirmYes);
  confirmBox.appendChild(confirmNo);
  confirmBox.hidden = true;

  [header, confirmBox, status, log, typing, form].forEach(function (node) { dialog.appendChild(node); });
  root.appendChild(dialog);
  root.appendChild(launcher);

  // ---- rendering ----

  /**
   * A staff member's reply arrives as a bot message that starts with "Naam (wijkteam): " (the staff page's
   * `staff_text()`); it is labelled as a person's message, also for screen readers.
   */
  var STAFF_REPLY = /^[^\n:]{1,100} \(wijkteam\): /;
  var turnStart = null; // the first bot bubble since the resident's last message

  function renderMessage(message) {
    var staff = message.from === "bot" && STAFF_REPLY.test(message.text || "");
    var kind = message.from === "bot" ? "vd-msg--bot" + (staff ? " vd-msg--staff" : "") : "vd-msg--user";
    var prefix = message.from === "bot" ? (staff ? TEXT.staffPrefix : TEXT.botPrefix) : TEXT.userPrefix;
    var bubble = el("div", { "class": "vd-msg " + kind });
    bubble.appendChild(el("span", { "class": "vd-sr-only" }, prefix));
    var body = el("p", { "class": "vd-text" });
    if (message.from === "bot") {
      appendWithLinks(body, message.text || "");
    } else {
      body.textContent = message.text || "";
    }
    bubble.appendChild(body);
    var links = (message.buttons || []).filter(isLink);
    var answers = (message.buttons || []).filter(function (choice) { return !isLink(choice); });
    if (links.length) {
      // A button whose payload is an address (the booking's calendar file) is a link, kept in the log.
      var linkGroup = el("div", { "class": "vd-links" });
      links.forEach(function (choice) {
        var link = el("a", { "class": "vd-choice vd-choice--link", href: choice.payload, download: "",
          target: "_blank", rel: "noopener noreferrer" }, choice.title);
        link.appendChild(el("span", { "class": "vd-sr-only" }, TEXT.newWindow));
        linkGroup.appendChild(link);
      });
      bubble.appendChild(linkGroup);
    }
    if (answers.length) {
      var group = el("div", { "class": "vd-choices", role: "group", "aria-label": TEXT.choices });
      answers.forEach(function (choice) {
        var button = el("button", { type: "button", "class": "vd-choice" }, choice.title);
        button.addEventListener("click", function () {
          send(choice.payload, choice.title);
          input.focus(); // the pressed button is gone with the old choices: focus must not fall to <body>
        });
        group.appendChild(button);
      });
      bubble.appendChild(group);
    }
    log.appendChild(bubble);
    turnStart = message.from === "bot" ? (turnStart || bubble) : null;
    scrollToTurn();
  }

  /**
   * Show the newest messages; when the bot's answer since the resident's last message is taller than the
   * log, show its start instead (the first line of a long answer, the introduction's first bubble).
   */
  function scrollToTurn() {
    if (turnStart && turnStart.parentNode === log && log.scrollHeight - turnStart.offsetTop > log.clientHeight) {
      log.scrollTop = Math.max(0, turnStart.offsetTop - 8);
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  /** Only the newest bot message keeps its quick replies; older choices would confuse. */
  function dropOldChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".vd-choices"), function (group) {
      group.parentNode.removeChild(group);
    });
    history.forEach(function (message) {
      var kept = (message.buttons || []).filter(isLink);
      if (kept.length) {
        message.buttons = kept;
      } else {
        delete message.buttons;
      }
    });
  }

  /** Only http(s) addresses are links; anything else ("javascript:", a payload) is an answer button. */
  function isLink(choice) {
    return /^https?:\/\//i.test(choice.payload || "");
  }

  function addMessage(message) {
    history.push(message);
    if (history.length > MAX_HISTORY) {
      history = history.slice(-MAX_HISTORY);
    }
    save("history:" + sessionId, history);
    renderMessage(message);
  }

  var typingTimer = null;

  function showTyping(visible) {
    typing.hidden = !visible;
    window.clearTimeout(typingTimer);
    if (visible) {
      typingTimer = window.setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    }
  }

  function setOffline(offline) {
    status.textContent = offline ? TEXT.offline : "";
    dialog.classList.toggle("vd-is-offline", offline);
  }

  // ---- connection ----

  var socket = null;
  var confirmed = false; // the server put this socket in the session's room
  var pending = []; // messages typed while (re)connecting, sent after session_confirm

  function emitMessage(payload) {
    if (socket && socket.connected && confirmed) {
      socket.emit("user_uttered", { message: payload, session_id: sessionId, metadata: METADATA });
    } else {
      pending.push(payload);
    }
  }

  var warned = false;

  /** For the website's developers: why the chat does not connect (the resident reads the status line). */
  function warnOnce() {
    if (warned || !window.console) {
      return;
    }
    warned = true;
    window.console.warn(
      "Voordeur widget: no connection to " + RASA_URL + SOCKET_PATH + ". If Rasa is running, check that " +
      "this page's origin (" + window.location.origin + ") is in RASA_CORS_ORIGINS on the Rasa server; " +
      "Rasa refuses other origins and logs them (docs/widget.md)."
    );
  }

  function connect() {
    if (socket) {
      return;
    }
    socket = window.io(RASA_URL, { path: SOCKET_PATH });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function () {
      confirmed = true;
      setOffline(false);
      if (!history.length && !load("greeted:" + sessionId, false)) {
        save("greeted:" + sessionId, true);
        showTyping(true);
        pending.unshift("/greet");
      }
      var queue = pending;
      pending = [];
      queue.forEach(emitMessage);
    });
    socket.on("bot_uttered", function (data) {
      showTyping(false);
      if (!data) {
        return;
      }
      var choices = (data.quick_replies || data.buttons || []).map(function (choice) {
        return { title: String(choice.title || ""), payload: String(choice.payload || choice.title || "") };
      });
      var text = data.text || "";
      if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
        text = (text ? text + "\n" : "") + data.attachment.payload.src;
      }
      if (!text && !choices.length) {
        return;
      }
      if (choices.length) {
        dropOldChoices();
      }
      addMessage({ from: "bot", text: text, buttons: choices });
    });
    socket.on("connect_error", function () {
      confirmed = false;
      showTyping(false);
      setOffline(true);
      warnOnce();
    });
    socket.on("disconnect", function (reason) {
      confirmed = false;
      if (reason !== "io client disconnect") {
        setOffline(true);
      }
    });
  }

  var socketIoLoading = false;

  /** Load the socket.io client that is served next to this file (never a CDN), then connect. */
  function ensureConnected() {
    if (typeof window.io === "function") {
      connect();
      return;
    }
    if (socketIoLoading) {
      return;
    }
    socketIoLoading = true;
    var loader = el("script", { src: BASE + "socket.io.min.js" });
    loader.addEventListener("load", connect);
    loader.addEventListener("error", function () { socketIoLoading = false; setOffline(true); });
    document.head.appendChild(loader);
  }

  function send(payload, shown) {
    var text = (shown || payload || "").trim();
    if (!text) {
      return;
    }
    dropOldChoices();
    addMessage({ from: "user", text: text });
    showTyping(true);
    emitMessage(payload.trim());
  }

  // ---- open, close, clear ----

  function showOpen(isOpen) {
    dialog.hidden = !isOpen;
    launcher.setAttribute("aria-expanded", isOpen ? "true" : "false");
    launcher.textContent = isOpen ? TEXT.launcherOpen : TEXT.launcher;
    root.classList.toggle("vd-is-open", isOpen);
  }

  function open() {
    showOpen(true);
    rememberOpen(true);
    ensureConnected();
    scrollToTurn();
    input.focus();
  }

  function close() {
    showOpen(false);
    confirmBox.hidden = true;
    rememberOpen(false);
    launcher.focus();
  }

  /** "Gesprek wissen" asks first: the messages go, a booking stays (its code is in the messages). */
  function askToClear() {
    confirmBox.hidden = false;
    confirmNo.focus();
  }

  function keepConversation() {
    confirmBox.hidden = true;
    clearButton.focus();
  }

  function clearConversation() {
    confirmBox.hidden = true;
    turnStart = null;
    forget("history:" + sessionId);
    forget("greeted:" + sessionId);
    sessionId = newSessionId();
    save("session", sessionId);
    history = [];
    pending = [];
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    showTyping(false);
    if (socket) {
      // A fresh connection leaves the old session's room, so its replies no longer arrive here.
      socket.disconnect();
      socket.connect();
    } else {
      ensureConnected();
    }
    input.focus();
  }

  launcher.addEventListener("click", function () {
    if (dialog.hidden) {
      open();
    } else {
      close();
    }
  });
  closeButton.addEventListener("click", close);
  clearButton.addEventListener("click", askToClear);
  confirmYes.addEventListener("click", clearConversation);
  confirmNo.addEventListener("click", keepConversation);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      if (!confirmBox.hidden) {
        keepConversation();
      } else {
        close();
      }
    }
  });
  telegramButton.addEventListener("click", function () {
    send(TEXT.telegramPayload, TEXT.telegram);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      input.focus();
      return;
    }
    input.value = "";
    send(text, text);
  });

  // ---- start ----

  function start() {
    var css = el("link", { rel: "stylesheet", href: BASE + "widget.css" });
    document.head.appendChild(css);
    history.forEach(renderMessage);
    document.body.appendChild(root);
    if (wasOpen()) {
      // The resident had the chat open before a reload: show it again, without stealing focus.
      showOpen(true);
      ensureConnected();
      scrollToTurn();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

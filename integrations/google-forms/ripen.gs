/**
 * Ripen for Google Forms: posts each form response to Ripen's generic webhook as a signed
 * `form.submitted` event. Google Forms has no webhooks; this script, bound to the form, is run by an
 * "On form submit" trigger. Setup (README, "Google Forms"):
 *   1. In the form: ⋮ → Apps Script, paste this file.
 *   2. Project Settings → Script properties: RIPEN_URL = https://<api>/webhooks/generic,
 *      RIPEN_SECRET = the value of RIPEN_SECRET_GENERIC.
 *   3. Triggers → Add trigger: onFormSubmit, event source "From form", event type "On form submit".
 * The response's id is the event id, so a trigger that runs twice for one response is stored once.
 */

// Ripen's bounds on one event (README, "Input bounds"): longer labels and texts are cut here, since the
// generic webhook refuses rather than cuts.
var MAX_KEY = 128;
var MAX_TEXT = 2048;
var MAX_ITEMS = 50;
var MAX_ITEM_TEXT = 256;
var MAX_ANSWERS = 100;

function onFormSubmit(e) {
  var properties = PropertiesService.getScriptProperties();
  var url = properties.getProperty("RIPEN_URL");
  var secret = properties.getProperty("RIPEN_SECRET");
  if (!url || !secret) throw new Error("set the RIPEN_URL and RIPEN_SECRET script properties");

  var event = ripenEvent(e.response, e.source ? e.source.getTitle() : "");
  if (!event) {
    console.log("Ripen: the response has no email address; nothing sent");
    return;
  }
  var body = JSON.stringify(event);
  var timestamp = Math.floor(Date.now() / 1000);
  var response = UrlFetchApp.fetch(url, {
    method: "post",
    contentType: "application/json; charset=utf-8",
    payload: body,
    headers: {
      "X-Ripen-Timestamp": String(timestamp),
      "X-Ripen-Signature": "v1=" + ripenSignature(secret, timestamp, body),
    },
    muteHttpExceptions: true,
  });
  var status = response.getResponseCode();
  // A 5xx or a 429 is temporary: throwing makes Apps Script report the failed run.
  if (status >= 500 || status === 429) throw new Error("Ripen answered " + status + "; try the response again");
  if (status >= 400) console.log("Ripen refused the response: " + status + " " + response.getContentText());
}

/** The generic event for one form response, or null when it carries no email address. */
function ripenEvent(formResponse, formTitle) {
  var answers = {};
  var count = 0;
  var email = formResponse.getRespondentEmail ? formResponse.getRespondentEmail() : "";
  var items = formResponse.getItemResponses();
  for (var i = 0; i < items.length && count < MAX_ANSWERS; i++) {
    var label = String(items[i].getItem().getTitle()).replace(/\s+/g, " ").trim().slice(0, MAX_KEY);
    var value = answerValue(items[i].getResponse());
    if (!label || value === null || Object.prototype.hasOwnProperty.call(answers, label)) continue;
    if (!email && typeof value === "string" && /e-?mail/i.test(label) && /^[^@\s]+@[^@\s]+$/.test(value.trim())) {
      email = value.trim();
    }
    answers[label] = value;
    count++;
  }
  if (!email) return null;
  var event = {
    type: "form.submitted",
    eventId: "gforms-" + formResponse.getId(),
    occurredAt: formResponse.getTimestamp().toISOString(),
    email: email,
    answers: answers,
  };
  if (formTitle) event.properties = { formTitle: String(formTitle).slice(0, MAX_TEXT) };
  return event;
}

/** A text, or a list of texts (checkboxes; a grid's rows joined), cut to Ripen's bounds; null if empty. */
function answerValue(response) {
  if (Array.isArray(response)) {
    var items = [];
    for (var i = 0; i < response.length && items.length < MAX_ITEMS; i++) {
      var item = Array.isArray(response[i]) ? response[i].join(", ") : String(response[i]);
      if (item.trim() !== "") items.push(item.slice(0, MAX_ITEM_TEXT));
    }
    return items.length > 0 ? items : null;
  }
  var text = response === null || response === undefined ? "" : String(response);
  return text.trim() === "" ? null : text.slice(0, MAX_TEXT);
}

/**
 * The hex HMAC-SHA256 of "{timestamp}.{body}". computeHmacSha256Signature returns signed bytes, from -128
 * to 127: each is brought to 0–255 and written as two hex digits. (`byte.toString(16)` alone would write
 * -91 as "-5b" and 7 as "7": a signature Ripen rightly refuses.)
 */
function ripenSignature(secret, timestamp, body) {
  var bytes = Utilities.computeHmacSha256Signature(timestamp + "." + body, secret, Utilities.Charset.UTF_8);
  var hex = "";
  for (var i = 0; i < bytes.length; i++) {
    var byte = (bytes[i] + 256) % 256;
    hex += (byte < 16 ? "0" : "") + byte.toString(16);
  }
  return hex;
}

/* Rapid Response Suite: skip logic as you type, and wards that follow the province.
   Optional: every form works without it (the server applies skip logic on submit).
   Conditions come from the server as the JSON syntax tree of the forms core's expressions. */
(function () {
  "use strict";
  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(v)) return parseFloat(v);
    return null;
  }
  function str(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.join(" ");
    if (typeof v === "boolean") return v ? "true" : "false";
    return String(v);
  }
  function truth(v) {
    if (v === null || v === undefined || v === false || v === "" || v === 0) return false;
    if (Array.isArray(v)) return v.length > 0;
    return true;
  }
  var YES = { yes: true, "true": true, "1": true }, NO = { no: true, "false": true, "0": true };
  function eq(a, b) {
    if (a === null || a === undefined) return str(b) === "";
    if (b === null || b === undefined) return str(a) === "";
    if (typeof a === "boolean" || typeof b === "boolean") {
      var bo = typeof a === "boolean" ? a : b, other = str(typeof a === "boolean" ? b : a).toLowerCase();
      return bo ? !!YES[other] : !!NO[other];
    }
    var x = num(a), y = num(b);
    if (x !== null && y !== null && (typeof a === "number" || typeof b === "number")) return x === y;
    return str(a) === str(b);
  }
  function order(a, b, cmp) {
    if (a === null || b === null || a === "" || b === "") return false;
    var x = num(a), y = num(b);
    if (x !== null && y !== null) return cmp(x, y);
    return cmp(str(a), str(b));
  }
  function arith(op, a, b) {
    var x = num(a), y = num(b);
    if (x === null || y === null) return null;
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (y === 0) return null;
    return op === "div" ? x / y : x % y;
  }
  function list(v) {
    if (Array.isArray(v)) return v.map(str);
    var s = str(v).trim();
    return s ? s.split(/\s+/) : [];
  }
  function today() {
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }
  var CALLS = {
    "not": function (a) { return !truth(a); },
    "selected": function (a, v) { return list(a).indexOf(str(v)) >= 0; },
    "count-selected": function (a) { return list(a).length; },
    "string-length": function (a) { return str(a).length; },
    "if": function (c, a, b) { return truth(c) ? a : b; },
    "coalesce": function (a, b) { return str(a) !== "" ? a : b; },
    "concat": function () { return Array.prototype.map.call(arguments, str).join(""); },
    "int": function (a) { var x = num(a); return x === null ? null : Math.trunc(x); },
    "number": function (a) { return num(a); },
    "string": function (a) { return str(a); },
    "boolean": function (a) { return truth(a); },
    "true": function () { return true; },
    "false": function () { return false; },
    "today": today,
    "now": function () { return new Date().toISOString(); },
    "date": function (a) { return str(a); },
    "contains": function (a, b) { return str(a).indexOf(str(b)) >= 0; },
    "starts-with": function (a, b) { return str(a).indexOf(str(b)) === 0; },
    "ends-with": function (a, b) { var s = str(a), t = str(b); return s.slice(s.length - t.length) === t; },
    "abs": function (a) { var x = num(a); return x === null ? null : Math.abs(x); },
    "round": function (a) { var x = num(a); return x === null ? null : Math.round(x); },
    "min": function () { var xs = Array.prototype.map.call(arguments, num); return xs.indexOf(null) >= 0 ? null : Math.min.apply(null, xs); },
    "max": function () { var xs = Array.prototype.map.call(arguments, num); return xs.indexOf(null) >= 0 ? null : Math.max.apply(null, xs); },
    "substr": function (s, a, b) { s = str(s); var i = num(a), j = b === undefined ? s.length : num(b); return i === null || j === null ? "" : s.slice(i, j); },
    "regex": function (s, p) { s = str(s); if (s.length > 1000) return false; try { return new RegExp("^(?:" + str(p) + ")$").test(s); } catch (e) { return false; } },
    "format-date": function () { return ""; }
  };
  function ev(n, get) {
    var tag = n[0];
    if (tag === "num" || tag === "str") return n[1];
    if (tag === "ref") return get(n[1]);
    if (tag === "current" || tag === "attr") return null;
    if (tag === "neg") { var x = num(ev(n[1], get)); return x === null ? null : -x; }
    if (tag === "call") {
      var fn = CALLS[n[1]], args = n.slice(2).map(function (a) { return ev(a, get); });
      return fn ? fn.apply(null, args) : null;
    }
    if (tag === "and") return truth(ev(n[1], get)) && truth(ev(n[2], get));
    if (tag === "or") return truth(ev(n[1], get)) || truth(ev(n[2], get));
    var a = ev(n[1], get), b = ev(n[2], get);
    switch (tag) {
      case "=": return eq(a, b);
      case "!=": return !eq(a, b);
      case "<": return order(a, b, function (x, y) { return x < y; });
      case "<=": return order(a, b, function (x, y) { return x <= y; });
      case ">": return order(a, b, function (x, y) { return x > y; });
      case ">=": return order(a, b, function (x, y) { return x >= y; });
      default: return arith(tag, a, b);
    }
  }
  function valueOf(form, name) {
    var els = form.querySelectorAll('[name="' + name + '"]');
    if (!els.length) return null;
    var first = els[0];
    if (first.type === "checkbox") {
      var on = [];
      els.forEach(function (e) { if (e.checked) on.push(e.value); });
      if (els.length === 1 && first.value === "yes") return on.length ? true : null;
      return on;
    }
    if (first.type === "radio") {
      var v = null;
      els.forEach(function (e) { if (e.checked) v = e.value; });
      if (v === "yes" || v === "no") {
        var yn = true;
        els.forEach(function (e) { if (e.value !== "yes" && e.value !== "no") yn = false; });
        if (yn) return v === "yes";
      }
      return v;
    }
    if (first.multiple) return Array.prototype.filter.call(first.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
    var t = (first.value || "").trim();
    return t === "" ? null : t;
  }
  function apply(form) {
    var get = function (name) { return valueOf(form, name); };
    var shown = [];
    form.querySelectorAll("[data-field]").forEach(function (q) {
      var rel = q.getAttribute("data-rel"), on = true;
      if (rel) {
        try { on = JSON.parse(rel).every(function (n) { return truth(ev(n, get)); }); } catch (e) { on = true; }
      }
      q.hidden = !on;
      q.querySelectorAll("input,select,textarea").forEach(function (el) { el.disabled = !on; });
      if (on) shown.push(q.getAttribute("data-field"));
    });
    form.querySelectorAll("fieldset.group").forEach(function (g) {
      g.hidden = !g.querySelector("[data-field]:not([hidden])");
    });
    var field = form.querySelector('input[name="_shown"]');
    if (field) field.value = shown.join(",");
  }
  function wards(form, select) {
    var dep = select.getAttribute("data-depends");
    var province = valueOf(form, dep);
    if (!province) return;
    fetch("/assets/wards.json?province=" + encodeURIComponent(province)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (rows) {
      if (!rows) return;
      var keep = select.value, first = select.options[0];
      select.textContent = "";
      if (first && first.value === "") select.appendChild(first);
      rows.forEach(function (w) {
        var o = document.createElement("option");
        o.value = String(w[0]); o.textContent = w[1];
        if (o.value === keep) o.selected = true;
        select.appendChild(o);
      });
    }).catch(function () {});
  }
  document.querySelectorAll("form.rapid-form").forEach(function (form) {
    var deps = form.querySelectorAll('select[data-list="wards"][data-depends]');
    form.addEventListener("change", function (e) {
      deps.forEach(function (sel) { if (e.target.name === sel.getAttribute("data-depends")) wards(form, sel); });
      apply(form);
    });
    form.addEventListener("input", function () { apply(form); });
    form.addEventListener("submit", function () {
      apply(form);
      var b = form.querySelector('button[type="submit"]');
      if (b) setTimeout(function () { b.disabled = true; }, 0);
    });
    apply(form);
  });
  /* The phone menu closes after a tap on one of its links, and when the page is shown again
     (back from the next page). */
  document.querySelectorAll("details.menu").forEach(function (menu) {
    menu.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("a")) menu.open = false;
    });
    window.addEventListener("pageshow", function () { menu.open = false; });
  });
})();

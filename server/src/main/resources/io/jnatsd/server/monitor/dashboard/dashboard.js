// The jnatsd dashboard: polls the monitoring endpoints every second and draws what they say.
// Rates are differences between two polls; nothing is computed that the endpoints do not give.
"use strict";
(function () {
  const base = location.pathname.replace(/dashboard$/, "");
  const POINTS = 120;
  const $ = (id) => document.getElementById(id);

  const series = { t: [], inMsgs: [], outMsgs: [], inBytes: [], outBytes: [] };
  let last = null;          // the previous /varz and when it was read
  let lastConns = new Map(); // cid -> {in_msgs, out_msgs, at}

  function fmtNum(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(2) + " G";
    if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(2) + " M";
    if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + " k";
    return Math.round(n).toLocaleString("en");
  }
  function fmtBytes(n) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let u = 0;
    while (Math.abs(n) >= 1024 && u < units.length - 1) { n /= 1024; u++; }
    return (u === 0 ? Math.round(n) : n.toFixed(1)) + " " + units[u];
  }

  async function get(endpoint) {
    const r = await fetch(base + endpoint, { cache: "no-store" });
    if (!r.ok) throw new Error(endpoint + ": HTTP " + r.status);
    return r.json();
  }

  function chart(el, labels, fmt) {
    const colors = ["#5a52d6", "#e0793a"];
    return new uPlot({
      width: Math.max(320, el.clientWidth - 12), height: 220,
      scales: { x: { time: true } },
      axes: [{}, { values: (u, vals) => vals.map(fmt), size: 70 }],
      series: [{}].concat(labels.map((l, i) => ({ label: l, stroke: colors[i], width: 2, value: (u, v) => fmt(v) }))),
    }, [[], [], []], el);
  }
  const msgsChart = chart($("chart-msgs"), ["in", "out"], fmtNum);
  const bytesChart = chart($("chart-bytes"), ["in", "out"], fmtBytes);

  function push(key, v) {
    series[key].push(v);
    if (series[key].length > POINTS) series[key].shift();
  }

  // ---- tables: sortable by a click on a header ----
  const sortState = new Map(); // table id -> {key, desc}
  const tableRows = new Map(); // table id -> {rows, render}
  document.querySelectorAll("table.sortable th").forEach((th) => {
    th.addEventListener("click", () => {
      const table = th.closest("table");
      const s = sortState.get(table.id) || {};
      const desc = s.key === th.dataset.key ? !s.desc : th.hasAttribute("data-num");
      sortState.set(table.id, { key: th.dataset.key, desc: desc });
      const t = tableRows.get(table.id);
      if (t) fill(table.id, t.rows, t.cells);
    });
  });

  function fill(id, rows, cells) {
    tableRows.set(id, { rows: rows, cells: cells });
    const table = $(id);
    const s = sortState.get(id);
    if (s) {
      rows = rows.slice().sort((a, b) => {
        const x = a[s.key], y = b[s.key];
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x ?? "").localeCompare(String(y ?? ""));
        return s.desc ? -c : c;
      });
    }
    table.querySelectorAll("th").forEach((th) => {
      th.classList.toggle("sorted-asc", !!s && th.dataset.key === s.key && !s.desc);
      th.classList.toggle("sorted-desc", !!s && th.dataset.key === s.key && s.desc);
    });
    const body = table.tBodies[0];
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      cells(r).forEach(([text, numeric]) => {
        const td = document.createElement("td");
        td.textContent = text;
        if (numeric) td.className = "num";
        tr.appendChild(td);
      });
      return tr;
    }));
  }

  // ---- one poll ----
  async function poll() {
    const now = Date.now() / 1000;
    const [varz, connz] = await Promise.all([get("varz"), get("connz?limit=1024")]);
    $("server-name").textContent = varz.server_name || "";
    $("server-facts").textContent = "NATS " + varz.version + " · up " + varz.uptime + " · " + varz.host + ":" + varz.port
        + (varz.cluster && varz.cluster.name ? " · cluster " + varz.cluster.name : "");
    $("connections").textContent = fmtNum(varz.connections);
    $("subscriptions").textContent = fmtNum(varz.subscriptions);
    $("slow-consumers").textContent = fmtNum(varz.slow_consumers);
    $("memory").textContent = fmtBytes(varz.mem);
    if (last) {
      const dt = Math.max(0.001, now - last.at);
      const rate = (k) => Math.max(0, (varz[k] - last.varz[k]) / dt);
      const r = { inMsgs: rate("in_msgs"), outMsgs: rate("out_msgs"), inBytes: rate("in_bytes"), outBytes: rate("out_bytes") };
      $("in-msgs-rate").textContent = fmtNum(r.inMsgs);
      $("out-msgs-rate").textContent = fmtNum(r.outMsgs);
      $("in-bytes-rate").textContent = fmtBytes(r.inBytes);
      $("out-bytes-rate").textContent = fmtBytes(r.outBytes);
      push("t", now);
      Object.keys(r).forEach((k) => push(k, r[k]));
      msgsChart.setData([series.t, series.inMsgs, series.outMsgs]);
      bytesChart.setData([series.t, series.inBytes, series.outBytes]);
    }
    last = { varz: varz, at: now };

    const conns = (connz.connections || []).map((c) => {
      const prev = lastConns.get(c.cid);
      const dt = prev ? Math.max(0.001, now - prev.at) : 0;
      return Object.assign({}, c, {
        addr: c.ip + ":" + c.port,
        inRate: prev ? Math.max(0, (c.in_msgs - prev.in_msgs) / dt) : 0,
        outRate: prev ? Math.max(0, (c.out_msgs - prev.out_msgs) / dt) : 0,
      });
    });
    lastConns = new Map(conns.map((c) => [c.cid, { in_msgs: c.in_msgs, out_msgs: c.out_msgs, at: now }]));
    $("connections-count").textContent = "(" + (connz.total ?? conns.length) + ")";
    fill("connections-table", conns, (c) => [[c.cid, true], [c.name || ""], [c.addr], [(c.lang || "") + " " + (c.version || "")],
      [c.account || ""], [fmtNum(c.inRate), true], [fmtNum(c.outRate), true], [fmtBytes(c.pending_bytes), true],
      [c.subscriptions, true], [c.uptime || ""]]);

    if (varz.jetstream && varz.jetstream.config) await pollJetStream();
    await pollPeers(varz);
  }

  async function pollJetStream() {
    const jsz = await get("jsz?accounts=true&streams=true&consumers=true");
    const streams = [], consumers = [];
    (jsz.account_details || []).forEach((a) => (a.stream_detail || []).forEach((s) => {
      streams.push({ account: a.name, name: s.name, messages: s.state.messages, bytes: s.state.bytes,
        consumers: s.state.consumer_count, last_seq: s.state.last_seq });
      (s.consumer_detail || []).forEach((c) => consumers.push({ stream: s.name, name: c.name,
        lag: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered,
        delivered: c.delivered ? c.delivered.stream_seq : 0 }));
    }));
    $("jetstream").hidden = false;
    fill("streams-table", streams, (s) => [[s.account], [s.name], [fmtNum(s.messages), true], [fmtBytes(s.bytes), true],
      [s.consumers, true], [s.last_seq, true]]);
    fill("consumers-table", consumers, (c) => [[c.stream], [c.name], [fmtNum(c.lag), true], [fmtNum(c.ackPending), true],
      [fmtNum(c.redelivered), true], [c.delivered, true]]);
  }

  async function pollPeers(varz) {
    if (varz.routes > 0) {
      const routez = await get("routez");
      const routes = (routez.routes || []).map((r) => Object.assign({}, r, { addr: r.ip + ":" + r.port }));
      $("routes").hidden = false;
      fill("routes-table", routes, (r) => [[r.rid, true], [r.remote_name || r.remote_id], [r.addr], [r.account || ""],
        [fmtNum(r.in_msgs), true], [fmtNum(r.out_msgs), true], [fmtBytes(r.pending_size), true], [r.subscriptions, true]]);
    } else {
      $("routes").hidden = true;
    }
    if (varz.leafnodes > 0) {
      const leafz = await get("leafz");
      const leafs = (leafz.leafs || []).map((l) => Object.assign({}, l, { addr: l.ip + ":" + l.port }));
      $("leafs").hidden = false;
      fill("leafs-table", leafs, (l) => [[l.name || ""], [l.addr], [l.account || ""], [fmtNum(l.in_msgs), true],
        [fmtNum(l.out_msgs), true], [l.subscriptions, true]]);
    } else {
      $("leafs").hidden = true;
    }
    if (varz.gateway && varz.gateway.name) {
      const gz = await get("gatewayz");
      const rows = [];
      [["outbound_gateways", "outbound"], ["inbound_gateways", "inbound"]].forEach(([field, dir]) => {
        Object.entries(gz[field] || {}).forEach(([name, v]) => [].concat(v).forEach((g) => rows.push({
          name: name, direction: dir, addr: g.connection ? g.connection.ip + ":" + g.connection.port : "" })));
      });
      $("gateways").hidden = rows.length === 0;
      fill("gateways-table", rows, (g) => [[g.name], [g.direction], [g.addr]]);
    }
  }

  async function loop() {
    try {
      await poll();
      $("status").textContent = "live · " + new Date().toLocaleTimeString();
      $("status").classList.remove("error");
    } catch (e) {
      $("status").textContent = "cannot read the monitoring endpoints: " + e.message;
      $("status").classList.add("error");
    }
    setTimeout(loop, 1000);
  }
  loop();
})();

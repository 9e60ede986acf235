// Stand-ins for the host ports the joelclaw services answer on (the Mac Mini's localhost), so that
// health checks run against the sandbox as they would against the real machine. Plain Node, no deps.
// Each port can be switched to a fault through the control port: ok | down (refused) | hang | wrong.
//   PUT http://127.0.0.1:$SANDBOX_CONTROL_PORT/endpoints/<port>   body: the mode
//   GET http://127.0.0.1:$SANDBOX_CONTROL_PORT/endpoints          the modes, as JSON
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";

const CONTROL_PORT = Number(process.env.SANDBOX_CONTROL_PORT || 18999);
const HOST = "127.0.0.1";

const json = (body) => ({ type: "application/json", body: JSON.stringify(body) });
const ENDPOINTS = {
  8108: { name: "typesense", routes: { "/health": json({ ok: true }) } },
  8288: { name: "inngest", routes: { "/health": json({ status: 200, message: "OK" }) } },
  7880: { name: "livekit", routes: { "/": { type: "text/plain", body: "OK" } } },
  9627: { name: "bluesky-pds", routes: { "/xrpc/_health": json({ version: "0.4.107" }) } },
  3111: {
    name: "system-bus-worker",
    routes: { "/": json({ ok: true }), "/api/inngest": json({ function_count: 42, mode: "cloud" }) },
  },
  6379: { name: "redis", tcp: true },
};

const modes = new Map();
const servers = new Map();
const sockets = new Map();

function httpHandler(port) {
  const { routes } = ENDPOINTS[port];
  return (req, res) => {
    const mode = modes.get(port);
    if (mode === "hang") return; // accept and never answer
    const route = routes[new URL(req.url, "http://x").pathname];
    if (mode === "wrong") {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error (sandbox fault: wrong)");
      return;
    }
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": route.type });
    res.end(route.body);
  };
}

function redisHandler(port) {
  return (socket) => {
    socket.on("data", (data) => {
      const mode = modes.get(port);
      if (mode === "hang") return;
      const text = data.toString("utf8").toUpperCase();
      if (mode === "wrong") socket.write("-ERR sandbox fault: wrong\r\n");
      else if (text.includes("PING")) socket.write("+PONG\r\n");
      else socket.write("-ERR unknown command (sandbox redis answers PING only)\r\n");
    });
    socket.on("error", () => {});
  };
}

function listen(port) {
  return new Promise((resolve, reject) => {
    const spec = ENDPOINTS[port];
    const server = spec.tcp ? createTcpServer(redisHandler(port)) : createHttpServer(httpHandler(port));
    const open = new Set();
    server.on("connection", (s) => {
      open.add(s);
      s.on("close", () => open.delete(s));
    });
    server.once("error", (error) => reject(new Error(`port ${port} (${spec.name}): ${error.message}`)));
    server.listen(port, HOST, () => {
      servers.set(port, server);
      sockets.set(port, open);
      resolve();
    });
  });
}

function close(port) {
  const server = servers.get(port);
  if (!server) return Promise.resolve();
  servers.delete(port);
  for (const s of sockets.get(port) ?? []) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function setMode(port, mode) {
  if (!(port in ENDPOINTS))
    throw new Error(`no sandbox endpoint on port ${port}; ports: ${Object.keys(ENDPOINTS).join(", ")}`);
  if (!["ok", "down", "hang", "wrong"].includes(mode))
    throw new Error(`mode must be ok, down, hang or wrong (got "${mode}")`);
  modes.set(port, mode);
  if (mode === "down") await close(port);
  else if (!servers.has(port)) await listen(port);
}

const control = createHttpServer(async (req, res) => {
  const m = /^\/endpoints(?:\/(\d+))?$/.exec(req.url ?? "");
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  if (req.method === "GET") {
    const state = Object.fromEntries(
      Object.entries(ENDPOINTS).map(([port, s]) => [port, { name: s.name, mode: modes.get(Number(port)) }]),
    );
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(state));
    return;
  }
  let body = "";
  for await (const chunk of req) body += chunk;
  try {
    await setMode(Number(m[1]), body.trim());
    res.writeHead(200).end(`${m[1]} ${body.trim()}\n`);
  } catch (error) {
    res.writeHead(400).end(`${error.message}\n`);
  }
});

try {
  for (const port of Object.keys(ENDPOINTS).map(Number)) await setMode(port, "ok");
  await new Promise((resolve, reject) => {
    control.once("error", reject);
    control.listen(CONTROL_PORT, HOST, resolve);
  });
  console.log(`sandbox endpoints up on ${Object.keys(ENDPOINTS).join(", ")}; control on ${CONTROL_PORT}`);
} catch (error) {
  console.error(`sandbox endpoints: cannot listen: ${error.message} (is another service using the port?)`);
  process.exit(1);
}
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));

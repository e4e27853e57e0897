// Reference 1: a plain Node.js `ws` broadcast server. Nothing is persisted.
// A client that connects with ?sub=1 receives every frame any client sends; senders connect without it.
// GET /stats answers process memory and CPU time (?gc=1: after a GC, with node --expose-gc).
'use strict';
const http = require('http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.env.PORT || process.argv[2] || 9101);
const subscribers = new Set();

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/stats')) {
    if (req.url.includes('gc=1') && global.gc) global.gc();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ connections: wss.clients.size, subscribers: subscribers.size, heapUsed: m.heapUsed, rss: m.rss, cpuMicros: cpu.user + cpu.system }));
    return;
  }
  res.statusCode = 404;
  res.end();
});

const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket, req) => {
  if (req.url.includes('sub=1')) subscribers.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const s of subscribers) {
      if (s.readyState === WebSocket.OPEN) s.send(data, { binary: isBinary });
    }
  });
  socket.on('close', () => subscribers.delete(socket));
  socket.on('error', () => subscribers.delete(socket));
});

server.listen(port, '127.0.0.1', () => console.log(`ws broadcast server on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));

// Reference 2: a Socket.IO chat server (default `ws` engine, WebSocket transport). Nothing is persisted.
// Events: "join" (room name) puts the socket in a room; "chat" {room, ...} is emitted to everyone in that room.
// GET /stats answers process memory and CPU time (?gc=1: after a GC, with node --expose-gc).
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || process.argv[2] || 9102);

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/stats')) {
    if (req.url.includes('gc=1') && global.gc) global.gc();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ connections: io.engine.clientsCount, heapUsed: m.heapUsed, rss: m.rss, cpuMicros: cpu.user + cpu.system }));
    return;
  }
  // socket.io attaches its own handler for /socket.io/; anything else is not found.
  if (!req.url.startsWith('/socket.io/')) {
    res.statusCode = 404;
    res.end();
  }
});

const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 64 * 1024, serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('chat', (msg) => {
    if (msg && msg.room !== undefined) io.to(String(msg.room)).emit('chat', msg);
  });
});

server.listen(port, '127.0.0.1', () => console.log(`socket.io chat server on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));

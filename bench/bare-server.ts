/**
 * The serving ceiling: a bare Node `http` server answering every request with a constant JSON
 * prediction. Prints its URL on stdout once listening. Usage: node --import tsx bench/bare-server.ts
 */
import http from 'node:http';

const body = JSON.stringify({ label: 'sun', probabilities: { drizzle: 0.01, fog: 0.05, rain: 0.3, snow: 0.01, sun: 0.63 } });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

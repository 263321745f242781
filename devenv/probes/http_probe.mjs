// Exit 0 when the URL in argv[2] answers 2xx or 3xx within 4 seconds (Node.js 18 or newer).
const url = process.argv[2];
try {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(4000) });
  process.exit(response.status < 400 ? 0 : 1);
} catch (error) {
  console.error(`health check of ${url} failed: ${error}`);
  process.exit(1);
}

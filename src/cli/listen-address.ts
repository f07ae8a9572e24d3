/** `host:port`, `[::1]:port` or `:port` (all interfaces) as in Go's net.Listen. */
export function parseListenAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new Error(`invalid listen address "${text}": expected host:port, [ipv6]:port or :port`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

// Whether the hub may listen in clear text on its address. Tokens cross the wire
// in every identify frame and Authorization header: off the machine, that wants TLS.
import { isIP } from 'node:net';
import { fail, type Failure } from '../storage/domain/errors.ts';

export type ClearTextVerdict = { ok: true; warning: string | null } | Failure;

/** Loopback addresses and names: traffic on them never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Clear text off loopback warns, or is refused with require_tls; TLS or loopback is fine. */
export function clearTextVerdict(host: string, tls: boolean, requireTls: boolean): ClearTextVerdict {
  if (tls || isLoopbackHost(host)) return { ok: true, warning: null };
  if (requireTls) return fail('AC_ERR_TLS_REQUIRED', host);
  return {
    ok: true,
    warning: `listening in clear text on ${host}: tokens cross the network unencrypted; give --tls-cert and --tls-key (or --require-tls to refuse this)`,
  };
}

import type { Download } from '../../src/chat/download.js';
import { fetchFile, hostAllowList } from '../../src/chat/fetch-file.js';
import type { InboundFile } from '../../src/chat/inbound.js';

const DISCORD_CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];

/**
 * An attachment of a request, fetched from Discord's CDN (its URLs are signed, so no token is
 * sent), or from the REST API's own host when DISCORD_API_URL points elsewhere.
 */
export function discordDownloader(apiUrl: string | undefined): (file: InboundFile, maxBytes: number) => Promise<Download> {
  const allowed = hostAllowList(DISCORD_CDN_HOSTS, apiUrl);
  return (file, maxBytes) => fetchFile(file.handle, { maxBytes, allowed });
}

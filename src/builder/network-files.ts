// The image's network configuration, as Anaconda leaves it for the installed system: NetworkManager keyfiles on
// an rpm system that has NetworkManager, systemd-networkd files otherwise. Static interfaces first, then DHCP on
// every other wired one.
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { ImageFile } from './configure.ts';
import type { ImageRecipe, StaticNetwork } from './recipe.ts';

export type NetworkManagerKind = 'networkd' | 'NetworkManager';

/** Every wired interface, as systemd-networkd matches them (it has no "first one" for `--device=link`). */
const WIRED = 'en* eth*';

function networkdMatch(network: StaticNetwork): string {
  if (!network.device) return `Name=${WIRED}`;
  return 'mac' in network.device ? `MACAddress=${network.device.mac}` : `Name=${network.device.name}`;
}

function networkdFile(network: StaticNetwork, index: number): ImageFile {
  const lines = [
    '[Match]',
    networkdMatch(network),
    '',
    '[Network]',
    `Address=${network.address}/${network.prefix}`,
    ...(network.gateway ? [`Gateway=${network.gateway}`] : []),
    ...network.nameservers.map((server) => `DNS=${server}`),
  ];
  // networkd takes the first file (by name) that matches an interface: the static ones sort before 20-wired.
  return { path: `/etc/systemd/network/10-static-${index + 1}.network`, text: `${lines.join('\n')}\n` };
}

/** A UUID from the connection's settings: the same inputs give the same image. */
function connectionUuid(network: StaticNetwork): string {
  const hex = createHash('sha256').update(JSON.stringify(network)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function keyfile(network: StaticNetwork, index: number): ImageFile {
  const id = `static-${index + 1}`;
  const dns = (v4: boolean) => network.nameservers.filter((server) => isIPv4(server) === v4);
  const list = (servers: string[]) => (servers.length > 0 ? [`dns=${servers.join(';')};`] : []);
  const device = network.device;
  const lines = [
    '[connection]',
    `id=${id}`,
    `uuid=${connectionUuid(network)}`,
    'type=ethernet',
    'autoconnect=true',
    ...(device && 'name' in device ? [`interface-name=${device.name}`] : []),
    '',
    '[ethernet]',
    ...(device && 'mac' in device ? [`mac-address=${device.mac}`] : []),
    '',
    '[ipv4]',
    'method=manual',
    `address1=${network.address}/${network.prefix}${network.gateway ? `,${network.gateway}` : ''}`,
    ...list(dns(true)),
    '',
    '[ipv6]',
    'method=auto',
    ...list(dns(false)),
  ];
  // NetworkManager ignores a keyfile that others may read.
  return {
    path: `/etc/NetworkManager/system-connections/${id}.nmconnection`,
    text: `${lines.join('\n')}\n`,
    mode: 0o600,
  };
}

/**
 * The files for `manager`. Without systemd-resolved, networkd's DNS= reaches no resolver: the static name
 * servers go into /etc/resolv.conf too.
 */
export function networkFiles(
  recipe: ImageRecipe,
  manager: NetworkManagerKind,
  hasResolved: boolean,
): ImageFile[] {
  const statics = recipe.staticNetworks;
  if (manager === 'NetworkManager') return statics.map(keyfile);
  const servers = statics.flatMap((network) => network.nameservers);
  return [
    ...statics.map(networkdFile),
    ...(recipe.dhcp
      ? [
          {
            path: '/etc/systemd/network/20-wired.network',
            text: `[Match]\nName=${WIRED}\n\n[Network]\nDHCP=yes\n`,
          },
        ]
      : []),
    ...(servers.length > 0 && !hasResolved
      ? [{ path: '/etc/resolv.conf', text: servers.map((server) => `nameserver ${server}\n`).join('') }]
      : []),
  ];
}

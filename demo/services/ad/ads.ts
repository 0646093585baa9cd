// The ad inventory and how ads are chosen: those of the requested categories, or two at random.
import type { Ad } from '../common/types.js';

function ad(productId: string, text: string): Ad {
  return { redirectUrl: `/product/${productId}`, text };
}

export const ADS_BY_CATEGORY: Readonly<Record<string, readonly Ad[]>> = {
  telescopes: [
    ad('66VCHSJNUP', 'Kepler 8" Dobsonian: more aperture, less money'),
    ad('0PUK6V6EV0', 'Take the Nightjar 60 anywhere'),
  ],
  binoculars: [ad('2ZYFJ3GM2N', 'Perseid 10x50: the Milky Way in your hands')],
  accessories: [
    ad('6E92ZMYYFZ', 'Keep your night vision: Red Lantern headlamp'),
    ad('9SIQT8TOJO', 'Faint nebulae, suburban skies: OIII filter'),
  ],
  assembly: [ad('L9ECAV7KIM', 'Equinox mount: set up in ten minutes')],
  travel: [ad('0PUK6V6EV0', 'Carry-on sized, dark-sky ready')],
  books: [
    ad('1YMWWN1N4O', 'Meridian Star Atlas: forty charts, one sky'),
    ad('LS4PSXUNUM', 'The whole Moon on your desk'),
  ],
};

export const MAX_ADS = 2;

export function pickAds(
  contextKeys: readonly string[],
  inventory: Readonly<Record<string, readonly Ad[]>>,
  random: () => number = Math.random,
): Ad[] {
  const targeted = contextKeys.flatMap((k) => inventory[k.toLowerCase()] ?? []);
  if (targeted.length > 0) return targeted.slice(0, MAX_ADS);
  const all = Object.values(inventory).flat();
  const out: Ad[] = [];
  for (let i = 0; i < MAX_ADS && all.length > 0; i++) out.push(all.splice(Math.floor(random() * all.length), 1)[0]!);
  return out;
}

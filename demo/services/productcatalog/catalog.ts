// The shop's catalogue: the ten product IDs of the OpenTelemetry demo (public facts, shared with
// the load generator through src/names/contract.ts) with names, prices and categories of our own.
import { PRODUCT_IDS } from '../../../src/names/contract.js';
import type { Money, Product } from '../common/types.js';

function usd(units: number, cents: number): Money {
  return { currencyCode: 'USD', units, nanos: cents * 10_000_000 };
}

type ProductId = (typeof PRODUCT_IDS)[number];

const ENTRIES: Readonly<Record<ProductId, Omit<Product, 'id' | 'picture'>>> = {
  '0PUK6V6EV0': {
    name: 'Nightjar 60 Travel Refractor',
    description: 'A 60 mm refractor that fits in a backpack, for the Moon and the bright planets.',
    priceUsd: usd(129, 0),
    categories: ['telescopes', 'travel'],
  },
  '1YMWWN1N4O': {
    name: 'Meridian Star Atlas',
    description: 'Forty charts of the whole sky down to magnitude 7.5, spiral bound to lie flat.',
    priceUsd: usd(34, 50),
    categories: ['books'],
  },
  '2ZYFJ3GM2N': {
    name: 'Perseid Binoculars 10x50',
    description: 'Wide, bright binoculars for sweeping the Milky Way.',
    priceUsd: usd(89, 99),
    categories: ['binoculars'],
  },
  '66VCHSJNUP': {
    name: 'Kepler 8" Dobsonian',
    description: 'An eight-inch reflector on a rocker box: the most aperture for the money.',
    priceUsd: usd(449, 0),
    categories: ['telescopes'],
  },
  '6E92ZMYYFZ': {
    name: 'Red Lantern Headlamp',
    description: 'A dimmable red light that keeps your night vision.',
    priceUsd: usd(19, 95),
    categories: ['accessories', 'flashlights'],
  },
  '9SIQT8TOJO': {
    name: 'Orion Nebula Filter',
    description: 'An oxygen-III filter that pulls faint nebulae out of a suburban sky.',
    priceUsd: usd(74, 0),
    categories: ['accessories', 'filters'],
  },
  HQTGWGPNH4: {
    name: 'Solar Viewing Film A4',
    description: 'Certified film to build a safe solar filter for any telescope.',
    priceUsd: usd(24, 0),
    categories: ['accessories', 'solar'],
  },
  L9ECAV7KIM: {
    name: 'Equinox Tracking Mount',
    description: 'A motorised equatorial mount that follows the stars for long exposures.',
    priceUsd: usd(599, 0),
    categories: ['mounts', 'astrophotography'],
  },
  LS4PSXUNUM: {
    name: 'Lunar Globe 30 cm',
    description: 'The near and far side of the Moon, with the landing sites marked.',
    priceUsd: usd(59, 90),
    categories: ['books', 'gifts'],
  },
  OLJCESPC7Z: {
    name: 'Comet Hunter Eyepiece Kit',
    description: 'Five eyepieces and a Barlow lens in a padded case.',
    priceUsd: usd(139, 50),
    categories: ['accessories', 'eyepieces'],
  },
};

export const CATALOG: readonly Product[] = PRODUCT_IDS.map((id) => ({
  id,
  picture: `/images/products/${id}.jpg`,
  ...ENTRIES[id],
}));

/** The product that the productCatalogFailure flag makes fail (the one the demo used). */
export const FAILING_PRODUCT_ID = 'OLJCESPC7Z';

export function findProduct(id: string): Product | undefined {
  return CATALOG.find((p) => p.id === id);
}

/** Case-insensitive search over names, descriptions and categories. */
export function searchProducts(query: string): Product[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  return CATALOG.filter(
    (p) =>
      p.name.toLowerCase().includes(q) ||
      p.description.toLowerCase().includes(q) ||
      p.categories.some((c) => c.includes(q)),
  );
}

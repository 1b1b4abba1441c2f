/**
 * Writes config/catalogs/demo-1001.json, the demo wall's catalog in the vendor's Get
 * Offers shape. Deterministic (seeded PRNG, fixed reference date): running it again
 * gives the same file, so the committed JSON can be checked against it.
 *
 *   npx tsx scripts/generate-demo-catalog.ts [output]
 */
import { writeFileSync } from 'node:fs';

const SEED = 1001;
const COUNT = 240;
const REFERENCE = Date.parse('2026-11-01T00:00:00Z');

/** mulberry32: tiny, fast, good enough to vary demo data reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const between = (min: number, max: number) => min + rand() * (max - min);
const money = (n: number) => Math.round(n * 100) / 100;

interface TypeProfile {
  category: string;
  names: readonly string[];
  platforms: readonly (string | null)[];
  payout: [number, number];
  conversion: [number, number];
  steps: readonly string[];
}

const PROFILES: Record<number, TypeProfile> = {
  0: {
    category: 'Other',
    names: ['Quick Task', 'Daily Check-in', 'Watch & Earn'],
    platforms: [null, 'desktop'],
    payout: [0.05, 0.6],
    conversion: [0.2, 0.5],
    steps: ['Complete the task'],
  },
  1: {
    category: 'Casino',
    names: ['Lucky Spins Casino', 'Royal Jackpot', 'Vegas Nights'],
    platforms: ['desktop', 'ios', 'android'],
    payout: [20, 90],
    conversion: [0.01, 0.05],
    steps: ['Register', 'Deposit $20', 'Wager $100'],
  },
  2: {
    category: 'Loyalty',
    names: ['Cashback Club', 'Rewards Plus', 'Points Hub'],
    platforms: [null, 'desktop', 'ios'],
    payout: [0.5, 4],
    conversion: [0.1, 0.3],
    steps: ['Join the program', 'Link a card'],
  },
  3: {
    category: 'Sign Up',
    names: ['Sweepstakes Entry', 'Newsletter Deals', 'Win a Phone'],
    platforms: [null, 'desktop'],
    payout: [0.3, 2.5],
    conversion: [0.2, 0.45],
    steps: ['Submit your email'],
  },
  4: {
    category: 'Games',
    names: ['Dragon Realms', 'Castle Clash Saga', 'Puzzle Kingdom', 'Merge Farm', 'Galaxy Raiders'],
    platforms: ['ios', 'android', 'android', 'ios', 'desktop'],
    payout: [1.5, 25],
    conversion: [0.03, 0.2],
    steps: ['Install and open', 'Reach level 10', 'Reach level 25', 'Make a purchase'],
  },
  5: {
    category: 'Free Trial',
    names: ['StreamMax Trial', 'Meal Box Trial', 'Music Unlimited'],
    platforms: [null, 'desktop', 'ios', 'android'],
    payout: [4, 30],
    conversion: [0.02, 0.1],
    steps: ['Start the free trial', 'Stay subscribed 14 days'],
  },
  6: {
    category: 'Surveys',
    names: ['Opinion Panel', 'Survey Sprint', 'Quick Poll'],
    platforms: [null, 'desktop', 'ios', 'android'],
    payout: [0.4, 3],
    conversion: [0.15, 0.45],
    steps: ['Finish the profile survey', 'Complete a paid survey'],
  },
  7: {
    category: 'Shopping',
    names: ['Fashion Outlet', 'Gadget Store', 'Home Deals'],
    platforms: [null, 'desktop'],
    payout: [2, 15],
    conversion: [0.02, 0.12],
    steps: ['Create an account', 'First purchase over $25'],
  },
  8: {
    category: 'Apps',
    names: ['Budget Buddy', 'Fit Tracker', 'Language Coach', 'Photo Magic'],
    platforms: ['ios', 'android'],
    payout: [0.8, 6],
    conversion: [0.05, 0.25],
    steps: ['Install and open', 'Use it 3 days'],
  },
  9: {
    category: 'Lifestyle',
    names: ['Craft Beer Club', 'Vape Starter Kit', 'Wine of the Month'],
    platforms: [null, 'desktop'],
    payout: [5, 25],
    conversion: [0.02, 0.08],
    steps: ['Verify your age', 'First order'],
  },
  10: {
    category: 'Dating',
    names: ['Match Tonight', 'Singles Near You', 'Date Finder'],
    platforms: [null, 'ios', 'android'],
    payout: [2, 12],
    conversion: [0.03, 0.12],
    steps: ['Create a profile', 'Start a premium month'],
  },
  11: {
    category: 'Social Casino',
    names: ['Slots Party', 'Bingo Bash Friends', 'Poker Stars Social'],
    platforms: ['ios', 'android', 'desktop'],
    payout: [1, 12],
    conversion: [0.04, 0.15],
    steps: ['Install and play', 'Reach level 20', 'Buy coins'],
  },
};

const COUNTRY_SETS: readonly string[][] = [
  ['US'],
  ['US', 'CA'],
  ['DE'],
  ['DE', 'AT', 'CH'],
  ['GB', 'IE'],
  ['FR', 'BE'],
  ['US', 'GB', 'DE', 'FR', 'CA', 'AU'],
  ['BR', 'MX'],
  ['JP'],
  ['US', 'DE'],
];
const IOS_MIN = ['14.0', '15.0', '16.0', '16.4', '17.0', null] as const;
const ANDROID_MIN = ['8.0', '9', '10', '11', '12', '13', null] as const;
const LABELS = ['', '', '', 'HOT', 'NEW', 'EXCLUSIVE'] as const;
const DELAYS = ['instant', 'instant', '1h', '24h', '72h'] as const;
const COINS_PER_USD = 500;

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function events(profile: TypeProfile, payoutTotal: number, window: number) {
  const n = 1 + Math.floor(rand() * profile.steps.length);
  const shares = Array.from({ length: n }, (_, i) => (i === n - 1 ? 2 : 1) * between(0.6, 1.4));
  const sum = shares.reduce((a, b) => a + b, 0);
  return profile.steps.slice(0, n).map((name, i) => {
    const payout = money((payoutTotal * (shares[i] as number)) / sum);
    return {
      event_id: i === 0 ? 'base' : slug(name),
      name,
      user_reward: Math.round(payout * COINS_PER_USD * between(0.35, 0.6)),
      payout,
      conversion_type: i === 0 ? 1 : 2,
      attribution_window_days: i === 0 ? window : window + 7 * i,
    };
  });
}

function offer(i: number) {
  const type = i % 12;
  const profile = PROFILES[type] as TypeProfile;
  const id = 10001 + i;
  const base = pick(profile.names);
  const name = `${base} ${['', 'EU', 'Plus', 'Pro', 'Go', 'X'][i % 6]}`.trim();
  const platform = pick(profile.platforms);
  const window = pick([7, 14, 30]);
  const evs = events(profile, between(...profile.payout), window);
  const payout = money(evs.reduce((s, e) => s + e.payout, 0));
  const conversion = Math.round(between(...profile.conversion) * 1000) / 1000;
  const min = platform === 'ios' ? pick(IOS_MIN) : platform === 'android' ? pick(ANDROID_MIN) : null;
  const last = evs[evs.length - 1];
  return {
    offer_id: id,
    offer_name: `${slug(name)}-${id}`,
    headline: `${name}: earn up to ${evs.reduce((s, e) => s + e.user_reward, 0)} coins`,
    description: `${last?.name ?? 'Complete the offer'} in ${name} and collect coins at every step.`,
    offer_terms: `New users only. Complete each step within its attribution window (${window} days for the first). One reward per person and device.`,
    label: pick(LABELS),
    category: profile.category,
    offer_type: type,
    total_user_reward: evs.reduce((s, e) => s + e.user_reward, 0),
    payout,
    attribution_window_days: window,
    events: evs,
    platform,
    countries: pick(COUNTRY_SETS),
    min_os_version: min,
    epc: Math.round(payout * conversion * between(0.6, 1.3) * 10000) / 10000,
    conversion_rate: conversion,
    tracking_delay: pick(DELAYS),
    creatives: [
      { url: `https://cdn.example.com/offers/${id}/icon.png`, width: 256, height: 256, type: 'icon' },
      { url: `https://cdn.example.com/offers/${id}/banner.jpg`, width: 1200, height: 628, type: 'banner' },
    ],
    click_url_base: `https://track.example.com/c/${id}?sub1={uid}&sub2={sid3}`,
    created_at: new Date(REFERENCE - Math.floor(between(0, 180)) * 86_400_000).toISOString(),
    cap_remaining: rand() < 0.03 ? 0 : rand() < 0.2 ? Math.floor(between(50, 5000)) : null,
  };
}

const offers = Array.from({ length: COUNT }, (_, i) => offer(i));
const page = {
  status: 'success',
  publisher_id: 1,
  wall_id: 1001,
  total: COUNT,
  offset: 0,
  limit: COUNT,
  offers,
};
const out = process.argv[2] ?? 'config/catalogs/demo-1001.json';
writeFileSync(out, `${JSON.stringify(page, null, 2)}\n`);
process.stdout.write(`wrote ${offers.length} offers to ${out}\n`);

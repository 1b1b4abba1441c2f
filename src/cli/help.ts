import { DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT } from '../fixtures/recent-decisions.js';

/**
 * What `offerd <command> --help` prints: a command's usage, options and, for commands
 * with subcommands, theirs. Kept apart from the commands so every one has the same shape.
 */
export interface CommandHelp {
  /** One line for the `offerd` overview. */
  summary: string;
  /** The full text of `offerd <command> --help`. */
  text: string;
  /** `offerd <command> <sub> --help`. */
  subcommands?: Record<string, string>;
}

export const CONTEXTS_FORMAT = `--contexts FILE (YAML or JSON) is either
  - a Fixtures file (kind: Fixtures, cases: [...]) as in rules/<app>/tests/, with --app ID; or
  - a list of contexts, each {appId?, api, name, request, state?, now?};
    appId may be left out when --app ID is given.
  api is banner, offerwall or journeys; request/state/now are the fixture case's fields.
  Anything else is refused with the entry's position and what is wrong.`;

const RULES_DIR =
  'DIR is a rules directory (one folder per app) or one app folder (rules/demo, with its tests/).';

export const HELP: Record<string, CommandHelp> = {
  validate: {
    summary: 'validate [DIR] [--app ID]        check rule files and fixture files; exit 1 on any problem',
    text: `usage: offerd validate [DIR] [--app ID]

Checks every rule file (schema, references, facts no API provides) and every fixture
file under tests/ (schema, expect keys no result of the API has; no case is run),
printing each problem as file:line:col. Warnings (rules that can
never fire) are printed but do not fail. ${RULES_DIR}
Default DIR: rules. Exit 0: valid; 1: problems; 2: usage error (unknown app, no such DIR).`,
  },
  test: {
    summary: 'test [DIR] [--app ID] [--reporter pretty|tap|junit]   run fixture cases',
    text: `usage: offerd test [DIR] [--app ID] [--reporter pretty|tap|junit]

Runs the fixture cases (rules/<app>/tests/*.yaml) through the serving code.
${RULES_DIR} Exit 0: all pass; 1: a failure or invalid rules; 2: usage error.`,
  },
  explain: {
    summary: 'explain --app ID --user ID [--api API] [--rules DIR]   why a stored user gets what they get',
    text: `usage: offerd explain --app ID --user ID [--api banner|offerwall|journeys] [--rules DIR]
                     [--now ISO] [--request FILE]
       offerd explain --app ID --api API --context FILE [--rules DIR]

With --user: loads the user's stored state from the configured store (OFFERD_STORE,
OFFERD_DATA_DIR / DATABASE_URL; the embedded store is refused while a server holds it:
ask the running one with POST /admin/apps/ID/explain or the console) and prints the
decision and why for each API (or only --api) that has stored that user, at
the real clock unless --now. The offerwall stores a uid only from its first click
or postback: --api offerwall explains any uid (user.stored false, with a note). --request FILE adds request fields (countryIso2, numoffers,
ip, wall, environment...). --rules DIR explains under draft rules (default: the rules the service serves:
the rollback in force, on PostgreSQL the rules last activated, else the files in OFFERD_RULES_DIR or ./rules).
The output is one JSON object when one API is explained, an array of them when several are:
give --api for a fixed shape in scripts.
With --context FILE: a what-if context {request, state?, now?} instead of a stored user.
Exit 0: explained; 1: the store could not be read (database unreachable, data dir held
by a running server), or no rules of the app load; 2: unknown app or user, bad option.`,
  },
  diff: {
    summary:
      'diff OLD_DIR NEW_DIR | diff --replay --app ID NEW_DIR   what a rules change does (fixtures, real traffic)',
    text: `usage: offerd diff OLD_DIR NEW_DIR [--app ID] [--contexts FILE]
       offerd diff --replay --app ID [--api API] [--limit N] [--json] [LIVE_DIR] CANDIDATE_DIR

Decides every fixture user of both rule sets (and the --contexts ones) under the old
and the new rules and prints what changes per user, then a summary: the share of
users whose outcome changes per API, segment and country, the banner/variation mix
before and after, the offerwall's average EPC, user reward and payout of the offers
shown and the offers gained and lost (with names), journeys offers created per type.

--replay   the same summary on real traffic: the app's recorded decisions (the
           sampled decision log in the configured store: lowdb under OFFERD_DATA_DIR,
           or PostgreSQL with OFFERD_STORE=postgres) re-decided under the live rules
           (LIVE_DIR, default the configured rules directory) and CANDIDATE_DIR.
           On lowdb, refused while a server holds the data dir: ask it with
           POST /admin/apps/ID/impact or the console's Impact of a change page.
--api API  with --replay: only banner, offerwall or journeys decisions.
--limit N  with --replay: the most recent N recorded decisions of each API
           (default ${DEFAULT_REPLAY_LIMIT}, at most ${MAX_REPLAY_LIMIT}).
--json     with --replay: the report as JSON (the admin impact route's shape).
${CONTEXTS_FORMAT}
Exit 0 whatever changed; 1 when a rule set is invalid or the store (--replay) cannot be read;
2: usage error.`,
  },
  keys: {
    summary: 'keys hash <key>                    the hash to put in config',
    text: 'usage: offerd keys hash <key>\n\nPrints the sha256: form of an API key for config/offerd.yaml.',
    subcommands: { hash: 'usage: offerd keys hash <key>\n\nPrints the sha256: form of <key>.' },
  },
  journeys: {
    summary: 'journeys generate [--app ID] [--environment live|test]   one offer generation run',
    text: `usage: offerd journeys generate [--app ID] [--environment live|test]

Subcommands:
  generate   one offer generation run against the configured store`,
    subcommands: {
      generate: `usage: offerd journeys generate [--app ID] [--environment live|test]

One generation run against the configured store with the rules on disk. On lowdb it is
refused while a server holds the data dir (one process at a time): run it through the
server instead (POST /admin/apps/ID/journeys/generate, or the console's Operations page).`,
    },
  },
  migrate: {
    summary: 'migrate                            apply PostgreSQL migrations (DATABASE_URL)',
    text: 'usage: offerd migrate\n\nApplies pending PostgreSQL migrations to DATABASE_URL, as start-up does.',
  },
  store: {
    summary: 'store copy|compare --from lowdb|postgres --to lowdb|postgres   move a store, compare two',
    text: `usage: offerd store copy|compare --from lowdb|postgres --to lowdb|postgres
         [--from-dir DIR] [--to-dir DIR] [--from-url URL] [--to-url URL]

Subcommands:
  copy      copies every record into an empty store
  compare   counts and checksums every collection of both stores`,
    subcommands: {
      copy: 'usage: offerd store copy --from lowdb|postgres --to lowdb|postgres [...]\n\nCopies every record into an empty target store.',
      compare:
        'usage: offerd store compare --from lowdb|postgres --to lowdb|postgres [...]\n\nCounts and checksums both stores per collection.',
    },
  },
};

/** The help to print for `args` of `command` when they ask for it, else null. */
export function helpFor(command: string, args: readonly string[]): string | null {
  if (!args.includes('--help') && !args.includes('-h')) return null;
  const help = HELP[command];
  if (!help) return null;
  const sub = args[0] && !args[0].startsWith('-') ? help.subcommands?.[args[0]] : undefined;
  return sub ?? help.text;
}

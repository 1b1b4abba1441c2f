import type { JsonSchema } from '../http/openapi/openapi-types.js';

/** The admin and operations responses, written once for the API reference and the tests. */

const str: JsonSchema = { type: 'string' };
const nullableStr: JsonSchema = { type: ['string', 'null'] };

const fileStatus: JsonSchema = { enum: ['added', 'removed', 'modified'] };
const strings: JsonSchema = { type: 'array', items: str };

/** One activation of an app's rules, with what changed line by line (rules-history.ts). */
const historyEntry: JsonSchema = {
  type: 'object',
  required: ['version', 'hash', 'activatedAt', 'reason', 'ms', 'changed', 'diff'],
  additionalProperties: false,
  properties: {
    version: str,
    hash: str,
    activatedAt: { type: 'string', format: 'date-time' },
    reason: { enum: ['start', 'watch', 'reload', 'rollback', 'last-good'] },
    ms: { type: 'number', description: 'Reading, validating and compiling the files.' },
    changed: {
      type: 'object',
      required: ['added', 'removed', 'modified'],
      additionalProperties: false,
      properties: { added: strings, removed: strings, modified: strings },
    },
    diff: {
      type: 'array',
      description: 'Each changed file’s lines against the snapshot this one replaced [ours].',
      items: {
        type: 'object',
        required: ['file', 'status', 'hunks', 'truncated'],
        additionalProperties: false,
        properties: {
          file: str,
          status: fileStatus,
          hunks: {
            type: 'array',
            items: {
              type: 'object',
              required: ['oldLine', 'newLine', 'lines'],
              additionalProperties: false,
              properties: { oldLine: { type: 'integer' }, newLine: { type: 'integer' }, lines: strings },
            },
          },
          truncated: {
            type: 'boolean',
            description: 'Hunks cut at the changed-line limit (200 per file) or the entry’s 32 KB.',
          },
        },
      },
    },
    diffNote: {
      type: 'string',
      description: 'Set when `diff` was cut at 32 KB of changed lines: how much it leaves out [ours].',
    },
  },
};

export const ADMIN_RESPONSE_SCHEMAS: Record<string, JsonSchema> = {
  RulesStatus: {
    type: 'object',
    required: ['instance', 'apps'],
    properties: {
      instance: {
        type: 'object',
        description: 'Which process answered: with several instances, compare their rules versions by it.',
        required: ['id', 'hostname', 'pid', 'startedAt'],
        properties: { id: str, hostname: str, pid: { type: 'integer' }, startedAt: str },
      },
      apps: {
        type: 'array',
        items: {
          type: 'object',
          required: ['appId', 'active', 'lastError', 'pinned', 'history', 'warnings'],
          properties: {
            appId: str,
            active: {
              type: ['object', 'null'],
              required: ['version', 'hash', 'loadedAt', 'files'],
              properties: { version: str, hash: str, loadedAt: str, files: { type: 'array' } },
            },
            lastError: {
              type: ['object', 'null'],
              description: 'The last failed load: every problem as file:line:col.',
            },
            pinned: {
              type: ['object', 'null'],
              description:
                'Set by a rollback: file changes wait for an explicit reload; `summary` says plainly which files on disk differ [ours].',
              required: ['hash', 'pendingHash', 'filesOnDisk', 'summary'],
              additionalProperties: false,
              properties: {
                hash: str,
                pendingHash: {
                  ...nullableStr,
                  description: 'The files on disk, when they differ from what serves.',
                },
                filesOnDisk: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['file', 'status', 'changedLines'],
                    additionalProperties: false,
                    properties: {
                      file: str,
                      status: fileStatus,
                      changedLines: {
                        type: 'integer',
                        minimum: 0,
                        description:
                          'Lines removed plus lines added, as a diff counts them: a line edited in place is one of each (2) [ours].',
                      },
                    },
                  },
                },
                summary: str,
              },
            },
            history: { type: 'array', items: historyEntry },
            kept: {
              type: 'array',
              description:
                'The snapshots this app went live with from its files, kept by the store, the newest first (at most 10): a rollback finds them after a restart or on another instance, where `history` (this process’s) does not [ours].',
              items: {
                type: 'object',
                required: ['hash', 'at'],
                additionalProperties: false,
                properties: { hash: str, at: str },
              },
            },
            warnings: {
              type: 'array',
              description:
                'What `offerd validate` warns of in the serving rules (a rule that can never fire: shadowed by an earlier rule or an always-on experiment), and, from the reload that activated them, each file whose content changed while its `version:` did not; each at its file:line:col. Warnings never block activation [ours].',
              items: {
                type: 'object',
                required: ['file', 'line', 'col', 'message'],
                additionalProperties: false,
                properties: {
                  file: str,
                  line: { type: 'integer', minimum: 1 },
                  col: { type: 'integer', minimum: 1 },
                  message: str,
                },
              },
            },
          },
        },
      },
    },
  },
  ReloadOutcomes: {
    type: 'object',
    required: ['outcomes'],
    properties: {
      outcomes: {
        type: 'array',
        items: {
          type: 'object',
          required: ['appId', 'result'],
          properties: {
            appId: str,
            result: { enum: ['activated', 'unchanged', 'failed', 'pinned'] },
            rollbackEnded: {
              type: 'string',
              description:
                'With `failed` or `unchanged`: this reload ended a rollback, and its files failed or were the rolled-back rules themselves: the hash of the rolled-back snapshot, which serves on unpinned and is kept in the store, so a restart on the same files serves it too [ours].',
            },
            kept: {
              type: 'boolean',
              description:
                'With `activated` or `rollbackEnded`: whether the rules now serving are kept in the store, which a restart on broken files serves. `false`: the store refused the write (the database down); the rules serve, the write is retried until it succeeds, and a restart on broken files meanwhile serves the rules kept before [ours].',
            },
            warnings: {
              ...strings,
              description:
                'With `activated`: what its author should know, as `file:line:col message`: a file whose content changed while its `version:` did not, a weight change of an experiment that already has assigned users (they keep their variation), a bucket version ended by leaving the rules, an ended one running again (docs/experiments.md) [ours].',
            },
          },
        },
      },
    },
  },
  RollbackResult: {
    type: 'object',
    required: ['appId', 'version', 'hash', 'pinned', 'warnings'],
    additionalProperties: false,
    properties: {
      appId: str,
      version: str,
      hash: str,
      pinned: { const: true },
      warnings: {
        ...strings,
        description:
          'What the rollback changes that its author should know, as `file:line:col message`, as a reload says it: a bucket version it ends by leaving it (an experiment removed, or moved back to a lower version: its results freeze), an ended version running again (a stopped experiment, the version a bump ended, a removed experiment put back: its end stands, players it enrolls are not credited), a running experiment whose weights change while it has assigned users, a new metric deciding a verdict [ours].',
      },
    },
  },
  Explanation: {
    type: 'object',
    description: 'The decision serving would make, and why: facts, segment traces, rule verdicts.',
    required: ['appId', 'api', 'rules', 'decision', 'why'],
    properties: {
      appId: str,
      api: { enum: ['banner', 'offerwall', 'journeys'] },
      rules: { type: 'object', required: ['version', 'hash'], properties: { version: str, hash: str } },
      decision: { type: 'object' },
      why: { type: 'object' },
      notGiven: {
        type: 'object',
        description:
          'A stored banner user: the request fields the caller did not give (offerId, countryIso2, languageIso2), with the value decided with — a placeholder, or null for absent — and a `note` saying so [ours].',
        required: ['fields', 'note'],
        properties: {
          fields: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
          note: str,
        },
      },
      asOf: {
        type: 'object',
        description:
          'A stored user explained at a `now` over a minute from the clock (past or future): the answer uses the rules serving now and the state stored now (what the player did since included), and `note` says so [ours].',
        required: ['now', 'note'],
        properties: { now: str, note: str },
      },
      user: {
        type: 'object',
        description:
          'A user named by id: records loaded per collection, and `stored` — false for an offerwall uid with no click, postback or ban yet, explained with empty progress (`note` says so).',
        required: ['id', 'loaded', 'stored'],
        properties: {
          id: str,
          loaded: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
          stored: { type: 'boolean' },
          note: str,
          aliasOf: {
            type: 'string',
            description:
              'Banner: the distinct id this id is an alias of ($create_alias, Unity identify): the decision is that user’s [ours].',
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: {
      status: { enum: ['ready', 'not ready'] },
      reason: {
        type: 'string',
        description:
          'Why not ready (503): no active app has valid rules yet, or the store does not answer or take writes. On a 200, present only while some apps serve no rules: `no valid rules yet for: <apps>`.',
      },
      notServing: {
        type: 'array',
        items: { type: 'string' },
        description:
          'Active apps with no valid rules yet (their APIs answer 503 `RULES_NOT_READY`); absent when every active app serves. The instance stays ready (200) while at least one active app serves.',
      },
    },
  },
};

/** The commit's decision table: every lifecycle rule of a commit, one row each. */
import { describe, expect, it } from 'vitest';
import { type CommitFacts, type CommitPlan, planCommit } from '../src/commit-plan.js';

const base: CommitFacts = {
  state: 'stored',
  hasData: true,
  changed: false,
  userIdChanged: false,
  touchRequested: false,
  cookieNeedsSend: false,
  clientHoldsCookie: true,
  persistent: false,
};

const nothing: CommitPlan = { store: 'none', cookie: 'none', sessionHeaders: false };
const clear: CommitPlan = { store: 'none', cookie: 'clear', sessionHeaders: true };

describe('planCommit', () => {
  it.each<[string, Partial<CommitFacts>, CommitPlan]>([
    ['gone, client holds a cookie: clear it', { state: 'gone' }, clear],
    ['gone, client holds none: nothing', { state: 'gone', clientHoldsCookie: false }, nothing],
    ['gone with data left: still only a clear', { state: 'gone', hasData: true, changed: true }, clear],
    [
      'new and empty, no cookie: nothing (no store call, no cookie)',
      { state: 'new', hasData: false, clientHoldsCookie: false },
      nothing,
    ],
    ['new and empty, stale cookie: clear it', { state: 'new', hasData: false }, clear],
    ['new with data: create and set', { state: 'new' }, { store: 'create', cookie: 'set', sessionHeaders: true }],
    [
      'new with only a user: create and set',
      { state: 'new', hasData: false, userIdChanged: true },
      { store: 'create', cookie: 'set', sessionHeaders: true },
    ],
    ['stored, unchanged: no write', {}, { store: 'none', cookie: 'none', sessionHeaders: true }],
    ['stored, changed: patch', { changed: true }, { store: 'patch', cookie: 'none', sessionHeaders: true }],
    ['stored, touched: touch', { touchRequested: true }, { store: 'touch', cookie: 'none', sessionHeaders: true }],
    [
      'stored, changed and touched: the patch slides too',
      { changed: true, touchRequested: true },
      { store: 'patch', cookie: 'none', sessionHeaders: true },
    ],
    [
      'stored, regenerated or re-sealed: set the cookie',
      { cookieNeedsSend: true },
      { store: 'none', cookie: 'set', sessionHeaders: true },
    ],
    [
      'stored, persistent: refresh its Max-Age',
      { persistent: true },
      { store: 'none', cookie: 'refresh', sessionHeaders: true },
    ],
    [
      'stored, persistent and re-sealed: set wins',
      { persistent: true, cookieNeedsSend: true },
      { store: 'none', cookie: 'set', sessionHeaders: true },
    ],
  ])('%s', (_rule, facts, plan) => {
    expect(planCommit({ ...base, ...facts })).toEqual(plan);
  });
});

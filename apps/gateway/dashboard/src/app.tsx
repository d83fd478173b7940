import { useState } from 'preact/hooks';
import { ActionDialog } from './actionDialog.js';
import { useFoldedView } from './historyFold.js';
import { Incidents } from './incidents.js';
import { useCallSeries, useLiveFeed } from './liveFeed.js';
import type { SlaWindow } from './model.js';
import { useOperatorActions } from './operatorActions.js';
import { EcosystemBar, ServerCard } from './overview.js';
import { useDashboardInfo, useEventHistory, useNow, useReplayHistory } from './pageData.js';
import { ConnectionStatus, PageHeader } from './pageHeader.js';
import { Timeline } from './timeline.js';
import { TimeTravel } from './timeTravel.js';

/** The whole page: live (a gateway) or a replay of files (`selfheal replay --serve`). */
export function App() {
  const [problem, setProblem] = useState('');
  const info = useDashboardInfo(setProblem);
  const { history, replaceHistory, addToHistory } = useEventHistory();
  const [travel, setTravel] = useState<number | null>(null);
  const [slaWindow, setSlaWindow] = useState<SlaWindow>({ kind: 'all' });
  useReplayHistory(info, replaceHistory, setTravel, setProblem);
  const { calls, earlier, live, connection, source } = useLiveFeed(
    info,
    { replaceHistory, addToHistory },
    setProblem,
  );
  const now = useNow();
  const operator = useOperatorActions();

  const isLive = info?.mode === 'live';
  const viewing = travel === null && isLive ? null : (travel ?? undefined);
  const { folded, servers, ecosystem, breakers } = useFoldedView(
    history,
    viewing,
    slaWindow,
    live,
    now,
  );
  const series = useCallSeries(calls, now, earlier);
  const stale = isLive && connection.kind !== 'live';
  const actions = isLive && info?.actions && travel === null && !stale;
  const entries = history.entries;

  return (
    <>
      <PageHeader info={info} source={source} />
      <ConnectionStatus isLive={isLive} connection={connection} now={now} />
      {problem ? (
        <p role="alert" class="problem">
          {problem}
        </p>
      ) : null}
      <p id="notice" role="status" aria-live="polite">
        {operator.notice}
      </p>
      {viewing !== null && viewing !== undefined ? (
        <p id="as-of" class="as-of">
          As of {new Date(viewing).toISOString()} (the fold of the log up to that instant)
        </p>
      ) : null}
      <main class={stale ? 'stale' : ''} aria-busy={stale}>
        <EcosystemBar ecosystem={ecosystem} />
        <section aria-label="Servers" class="cards" id="servers">
          {Object.keys(servers)
            .sort()
            .map((name) => (
              <ServerCard
                key={name}
                server={servers[name]!}
                breaker={breakers.get(name) ?? 'closed'}
                calls={series.get(name)}
                onAction={actions ? operator.ask : undefined}
              />
            ))}
        </section>
      </main>
      <TimeTravel entries={entries} at={travel} onChange={setTravel} live={isLive} />
      <div class="columns">
        <Incidents fold={folded} entries={entries} window={slaWindow} onWindow={setSlaWindow} />
        <Timeline history={history} />
      </div>
      <ActionDialog
        pending={operator.pending}
        onConfirm={operator.confirm}
        onCancel={operator.cancel}
      />
    </>
  );
}

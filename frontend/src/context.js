// Shared React contexts: the playback clock (null without a run) and the design's lookups.
import { createContext, useContext, useSyncExternalStore } from 'react';

export const PlayerContext = createContext(null);
export const SideContext = createContext(0);   // which run of the player this canvas shows
export const DesignContext = createContext({ nodes: [], edges: [], byId: new Map() });

const NONE = () => () => {};
const ZERO = () => null;

// The counters of one node (re-renders only when they change) or null without playback.
export function useNodeCounters(index) {
  const player = useContext(PlayerContext);
  const side = useContext(SideContext);
  const key = useSyncExternalStore(player ? player.subscribe : NONE,
    player ? () => JSON.stringify(player.counters(side, index)) : ZERO);
  return key ? JSON.parse(key) : null;
}

export function usePlayerState() {
  const player = useContext(PlayerContext);
  return useSyncExternalStore(player ? player.subscribe : NONE, player ? player.getSnapshot : ZERO);
}

// The web app's entry: the shell (header, status line, account corner), then the router.
// Pages live in ./pages, one module each, loaded on first visit.
import { onSession } from './api';
import { go, render } from './router';
import { sessionChanged, signOut } from './shell';
import { clearError } from './ui';

function main(): void {
  onSession(() => sessionChanged());
  sessionChanged();
  document.getElementById('logout')?.addEventListener('click', () => {
    signOut();
    go('#/');
  });
  window.addEventListener('hashchange', () => {
    clearError();
    void render();
  });
  void render();
  // Web Push: the service worker shows pushed notifications (registered only where supported).
  if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

main();

/* The service worker of 红黄绿, served from the site's root (config.pwa.service_worker).
   Worker {{ worker }}: this line changes with static/offline/worker.js, so a release that
   changes it installs a new worker and its new shell. */
self.HHL = {
  shell: {{ shell|safe }},
  offline: {{ offline_url|safe }},
  pages: {{ pages_url|safe }},
  batch: {{ batch|safe }},
  forms: {{ forms|safe }},
  card: {{ card_url|safe }},
  noCache: {{ no_cache|safe }},
  staticUrl: {{ static_url|safe }}
};
importScripts.apply(self, {{ scripts|safe }});

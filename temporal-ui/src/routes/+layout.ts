// Every page renders in the browser (temporal-lite serves one fallback page for all routes),
// with the UI library's English texts.
import i18next from 'i18next';
import { i18nNamespaces } from '@temporalio/ui/i18n/index';
import resources from '@temporalio/ui/i18n/locales/index';

export const ssr = false;
export const prerender = false;

export const load = () => {
  if (!i18next.isInitialized) {
    void i18next.init({ lng: 'en', fallbackLng: 'en', ns: i18nNamespaces, defaultNS: 'common', resources, interpolation: { escapeValue: false } });
  }
};

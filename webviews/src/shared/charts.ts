// Chart.js set-up shared by the panels (tree-shaken registration; theme colours).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import { themeColor } from './dom';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend, Filler);

export { Chart };
export type { ChartConfiguration, Plugin };

function themeDefaults(): void {
  Chart.defaults.color = themeColor('--vscode-foreground', '#ccc');
  Chart.defaults.borderColor = themeColor('--vscode-panel-border', '#444');
  Chart.defaults.font.family = themeColor('--vscode-font-family', 'sans-serif');
  Chart.defaults.animation = false;
}

// Every chart panel imports this module: the theme's defaults are in place before its first chart
// (the network graph panel has no chart and does not load Chart.js).
themeDefaults();

export const colors = () => ({
  primary: themeColor('--vscode-charts-blue', '#3794ff'),
  secondary: themeColor('--vscode-charts-orange', '#d18616'),
  danger: themeColor('--vscode-charts-red', '#f14c4c'),
  ok: themeColor('--vscode-charts-green', '#89d185'),
  muted: themeColor('--vscode-descriptionForeground', '#999'),
});

/** Equal-width histogram of values on [0, max]. */
export function histogram(values: ArrayLike<number>, bins: number, max: number): { edges: number[]; counts: number[] } {
  const counts = new Array<number>(bins).fill(0);
  const w = max > 0 ? max / bins : 1;
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.max(0, Math.floor(values[i] / w)))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i * w), counts };
}

/** `color` (a CSS colour) at an opacity, for series that fade with age (older epochs lighter). */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.max(0, Math.min(1, alpha));
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (hex) {
    const v =
      hex[1].length === 3
        ? hex[1]
            .split('')
            .map((c) => c + c)
            .join('')
        : hex[1];
    return `rgba(${parseInt(v.slice(0, 2), 16)}, ${parseInt(v.slice(2, 4), 16)}, ${parseInt(v.slice(4, 6), 16)}, ${a})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(color.trim());
  return rgb ? `rgba(${rgb[1].trim()}, ${rgb[2].trim()}, ${rgb[3].trim()}, ${a})` : color;
}

import type { Command } from '../command.js';
import { devicesCreate } from './devices-create.js';
import { devicesExport } from './devices-export.js';
import { devicesImport } from './devices-import.js';
import { devicesList } from './devices-list.js';
import { devicesShow } from './devices-show.js';
import { hooksAdd, hooksDeliveries, hooksList, hooksRemove } from './hooks.js';
import { jobCancel } from './job-cancel.js';
import { jobEdit, jobPause, jobResume } from './job-control.js';
import { jobList } from './job-list.js';
import { jobScheduleMethod } from './job-schedule-method.js';
import { jobScheduleTwin } from './job-schedule-twin.js';
import { jobShow } from './job-show.js';
import { jobWatch } from './job-watch.js';
import { methodInvoke } from './method-invoke.js';
import { query } from './query.js';
import { simulate } from './simulate.js';
import { twinShow } from './twin-show.js';
import { twinUpdate } from './twin-update.js';

/** Every command of `iothub-jobs`, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  devicesCreate,
  devicesList,
  devicesShow,
  devicesImport,
  devicesExport,
  twinShow,
  twinUpdate,
  methodInvoke,
  jobScheduleMethod,
  jobScheduleTwin,
  jobShow,
  jobList,
  jobCancel,
  jobPause,
  jobResume,
  jobEdit,
  jobWatch,
  hooksAdd,
  hooksList,
  hooksRemove,
  hooksDeliveries,
  query,
  simulate,
];

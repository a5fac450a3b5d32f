// The call stack's former address.
import { redirect } from '@sveltejs/kit';
import { routeForCallStack } from '@temporalio/ui/utilities/route-for';

export const load = ({ params }) => redirect(302, routeForCallStack(params));

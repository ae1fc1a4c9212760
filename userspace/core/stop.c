// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>

#include "core/stop.h"

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stop_flag;
static int stop_status;
static int stop_signo;
static void (*stop_kick)(void);

static bool do_request(int status, int signo)
{
	void (*kick)(void);

	pthread_mutex_lock(&stop_lock);
	if (stop_flag) {
		pthread_mutex_unlock(&stop_lock);
		return false;
	}
	stop_status = status;
	stop_signo = signo;
	__atomic_store_n(&stop_flag, true, __ATOMIC_SEQ_CST);
	kick = stop_kick;
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&stop_lock);

	/* Outside the lock: the kick takes the vCPU list lock. */
	if (kick)
		kick();
	return true;
}

bool stop_request(int status)
{
	return do_request(status, 0);
}

bool stop_request_signal(int signo)
{
	return do_request(128 + signo, signo);
}

bool stop_requested(void)
{
	return __atomic_load_n(&stop_flag, __ATOMIC_SEQ_CST);
}

int stop_wait(int *signo)
{
	int status;

	pthread_mutex_lock(&stop_lock);
	while (!stop_flag)
		pthread_cond_wait(&stop_cond, &stop_lock);
	status = stop_status;
	if (signo)
		*signo = stop_signo;
	pthread_mutex_unlock(&stop_lock);
	return status;
}

void stop_set_kick_hook(void (*kick)(void))
{
	pthread_mutex_lock(&stop_lock);
	stop_kick = kick;
	pthread_mutex_unlock(&stop_lock);
}

void stop_reset(void)
{
	pthread_mutex_lock(&stop_lock);
	stop_flag = false;
	stop_status = 0;
	stop_signo = 0;
	pthread_mutex_unlock(&stop_lock);
}

classes = unix
[tcp:response]
label = g:unix:Linux:
sig = *:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df:0
4:64:0:1460:14600,7:mss,sok,ts,nop,ws:df:0